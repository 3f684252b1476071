#pragma once
// The associations the engine computes (assoc/rules.h) and stores: a group of
// raw observations with its identity and name, and a raw-obs -> cal-obs edge.
#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "model/assoc_type.h"
#include "model/obs_fact.h"
#include "model/quartet.h"

namespace tolteca {

struct Group {
  AssocType type = AssocType::cal_group;  // one of kGroupTypes
  std::vector<std::int64_t> members;      // product ids, in the group's order (first member first)
  Quartet first;                          // the first member (the group's identity)
  std::int64_t first_time = kNoTime;      // the first member's start time
  std::int64_t first_obsnum = 0;          // obsnum of the first / last member
  std::int64_t last_obsnum = 0;
  std::int64_t latest_time = kNoTime;  // the latest member start time

  std::int64_t n() const { return static_cast<std::int64_t>(members.size()); }
  // Identity: "<type>:<first member uid>", e.g. "cal_group:ics-18341-0-0".
  std::string uid() const;
  // "{master}-{obsnum}-g{n}-cal", "-drivefit"; "{master}-{first}to{last}-g{n}-focus"
  // (or "{master}-{obsnum}-g{n}-focus" when first = last), "-astig".
  std::string name() const;
};

// One raw_obs_cal_obs edge: a raw observation -> the raw observation its files'
// TargSweep pointer names.
struct CalEdge {
  std::int64_t src = 0;
  std::int64_t dst = 0;
  std::uint32_t roach_mask = 0;  // networks whose files carry the pointer (bit r = toltec r)
  auto operator<=>(const CalEdge&) const = default;
  bool operator==(const CalEdge&) const = default;
};

// The edge's stored context: {"networks":[0,1,2]}.
std::string cal_edge_context(std::uint32_t roach_mask);

}  // namespace tolteca
