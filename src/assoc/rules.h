#pragma once
// The association rules (../shared/spec/domain.md, "Associations") as pure
// functions over raw-observation facts. No database, no state: the engine
// feeds them windows of facts, tests feed them hand-written sequences.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "assoc/facts.h"

namespace tolteca::assoc {

enum class GroupType : std::uint8_t { cal_group = 0, drivefit = 1, focus_group = 2, astig_group = 3 };
inline constexpr GroupType kGroupTypes[] = {GroupType::cal_group, GroupType::drivefit, GroupType::focus_group,
                                            GroupType::astig_group};

std::string_view group_type_name(GroupType t);     // "cal_group"
std::string_view group_product_type(GroupType t);  // "dp_cal_group"
std::string_view group_edge_type(GroupType t);     // "dpa_cal_group_raw_obs"
inline constexpr std::string_view kCalObsEdgeType = "dpa_raw_obs_cal_obs";

struct Group {
  GroupType type = GroupType::cal_group;
  std::vector<std::int64_t> members;  // product ids, in the group's order (first member first)
  Quartet first;                      // the first member (the group's identity)
  std::int64_t first_time = kNoTime;  // the first member's start time
  std::int64_t first_obsnum = 0;      // obsnum of the first / last member
  std::int64_t last_obsnum = 0;
  std::int64_t latest_time = kNoTime;  // the latest member start time

  std::int64_t n() const { return static_cast<std::int64_t>(members.size()); }
  // Identity: "<type>:<first member uid>", e.g. "cal_group:ics-18341-0-0".
  std::string uid() const;
  // "{master}-{obsnum}-g{n}-cal", "-drivefit"; "{master}-{first}to{last}-g{n}-focus"
  // (or "{master}-{obsnum}-g{n}-focus" when first = last), "-astig".
  std::string name() const;
};

// cal_group. facts must be in sequence order (see seq_less); only sweeps
// matter. A VnaSweep opens a group; TargetSweep/Tune join the open one;
// sweeps before the first VNA join nothing; groups of 1 are dropped.
std::vector<Group> cal_groups(std::span<const ObsFact> facts_in_seq_order);

// drivefit. Any order. TargetSweep observations grouped by (master, obsnum),
// members ordered by (subobsnum, scannum); groups of 1 dropped. Output ordered
// by (master, obsnum).
std::vector<Group> drivefit_groups(std::span<const ObsFact> facts);

// focus_group (goal focus) / astig_group (goal astig). Any order. Per master,
// members ordered by (obsnum, subobsnum, scannum); a run continues while the
// next obsnum equals the previous or the previous + 1; runs of 1 dropped.
std::vector<Group> run_groups(std::span<const ObsFact> facts, GroupType type);

// Dispatch on the type (cal_group expects sequence order).
std::vector<Group> compute_groups(GroupType type, std::span<const ObsFact> facts);

// raw_obs_cal_obs: one edge per raw observation and distinct target. The
// target of a pointer (obsnum, subobsnum, scannum) is the raw observation with
// that triple and the pointing observation's master when it exists, else the
// one with the lowest master code; no edge while none exists.
struct CalEdge {
  std::int64_t src = 0;
  std::int64_t dst = 0;
  std::uint32_t roach_mask = 0;  // networks whose files carry the pointer
  auto operator<=>(const CalEdge&) const = default;
  bool operator==(const CalEdge&) const = default;
};
// facts: must contain every pointer's source observation and every candidate
// target (more is fine). Output sorted by (src, dst).
std::vector<CalEdge> cal_edges(std::span<const CalPointer> pointers, std::span<const ObsFact> facts);

// {"networks":[0,1,2]}
std::string cal_edge_context(std::uint32_t roach_mask);

}  // namespace tolteca::assoc
