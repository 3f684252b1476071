#pragma once
// The identity of a raw observation: (master, obsnum, subobsnum, scannum).
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/master.h"

namespace tolteca {

struct Quartet {
  Master master = Master::tcs;
  std::int64_t obsnum = 0;
  std::int32_t subobsnum = 0;
  std::int32_t scannum = 0;

  auto operator<=>(const Quartet&) const = default;
  bool operator==(const Quartet&) const = default;
};

// Canonical text id: "ics-18343-0-0".
std::string to_string(const Quartet& q);
// Parses exactly the canonical form (master in any case); nullopt otherwise.
std::optional<Quartet> parse_quartet(std::string_view text);

}  // namespace tolteca
