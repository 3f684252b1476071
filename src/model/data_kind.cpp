#include "model/data_kind.h"

#include <algorithm>
#include <cctype>

namespace tolteca {

const std::vector<DataKindInfo>& all_data_kinds() {
  static const std::vector<DataKindInfo> kinds = {
      {DataKind::VnaSweep, "VnaSweep", "VNA sweep over the full band (ObsType 2)"},
      {DataKind::TargetSweep, "TargetSweep", "Sweep around the detector tones (ObsType 3)"},
      {DataKind::Tune, "Tune", "Tune: two target sweeps (ObsType 4)"},
      {DataKind::RawTimeStream, "RawTimeStream", "Detector timestream (ObsType 0 or 1)"},
      {DataKind::LmtTel, "LmtTel", "LMT telescope file (tel_toltec)"},
  };
  return kinds;
}

std::string data_kind_names(DataKindBits b) {
  std::string out;
  for (const auto& k : all_data_kinds()) {
    if (has(b, k.kind)) {
      if (!out.empty()) out += ',';
      out += k.name;
    }
  }
  return out;
}

std::optional<DataKindBits> parse_data_kind(std::string_view name) {
  auto iequals = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
  };
  for (const auto& k : all_data_kinds())
    if (iequals(name, k.name)) return bits(k.kind);
  if (iequals(name, "RawSweep")) return kRawSweepBits;
  return std::nullopt;
}

std::optional<DataKind> data_kind_from_obs_type(std::int64_t obs_type) {
  switch (obs_type) {
    case 0:
    case 1: return DataKind::RawTimeStream;
    case 2: return DataKind::VnaSweep;
    case 3: return DataKind::TargetSweep;
    case 4: return DataKind::Tune;
    default: return std::nullopt;
  }
}

}  // namespace tolteca

namespace tolteca {

std::vector<std::string> data_kind_list(DataKindBits b) {
  std::vector<std::string> out;
  for (const auto& k : all_data_kinds())
    if ((b & static_cast<DataKindBits>(k.kind)) != 0) out.emplace_back(k.name);
  return out;
}

}  // namespace tolteca
