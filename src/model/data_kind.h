#pragma once
// Data kinds are bit flags; an observation's kind is the union of its files'.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tolteca {

using DataKindBits = std::uint32_t;

enum class DataKind : DataKindBits {
  VnaSweep = 1,
  TargetSweep = 2,
  Tune = 4,
  RawTimeStream = 8,
  LmtTel = 16,
};

inline constexpr DataKindBits kRawSweepBits = 1 | 2 | 4;

constexpr DataKindBits bits(DataKind k) { return static_cast<DataKindBits>(k); }
constexpr bool has(DataKindBits b, DataKind k) { return (b & bits(k)) != 0; }

struct DataKindInfo {
  DataKind kind;
  std::string_view name;
  std::string_view description;
};

// All kinds, in bit order.
const std::vector<DataKindInfo>& all_data_kinds();

// "VnaSweep,Tune" for bits 5; "" for 0.
std::string data_kind_names(DataKindBits b);
// The names of the bits, in bit order: the `kinds` array of every JSON output (docs/OUTPUT.md).
std::vector<std::string> data_kind_list(DataKindBits b);
// Parse one name (case-insensitive; also accepts "RawSweep" = all sweep bits).
std::optional<DataKindBits> parse_data_kind(std::string_view name);
// Header.Toltec.ObsType -> kind (0,1 timestream; 2 VNA; 3 TARG; 4 TUNE).
// Any other value (also one beyond int range) -> nullopt.
std::optional<DataKind> data_kind_from_obs_type(std::int64_t obs_type);

}  // namespace tolteca
