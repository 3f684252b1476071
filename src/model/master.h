#pragma once
// The master (who commanded an acquisition). Integer codes as in the headers
// and the site database: 0 = tcs, 1 = ics, 2 = clip.
#include <cstdint>
#include <optional>
#include <string_view>

namespace tolteca {

enum class Master : std::uint8_t { tcs = 0, ics = 1, clip = 2 };

constexpr std::string_view to_string(Master m) {
  switch (m) {
    case Master::tcs: return "tcs";
    case Master::ics: return "ics";
    case Master::clip: return "clip";
  }
  return "?";
}

// Case-insensitive: "ICS", "ics", "Ics" all parse.
std::optional<Master> parse_master(std::string_view text);
// 0, 1, 2; any other value (also one beyond int range: 2^32 + 1 is not ics) -> nullopt.
std::optional<Master> master_from_code(std::int64_t code);

}  // namespace tolteca
