#pragma once
// The association rules (../shared/spec/domain.md, "Associations") as pure
// functions over raw-observation facts. No database, no state: the engine
// feeds them windows of facts, tests feed them hand-written sequences.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/group.h"
#include "model/obs_fact.h"

namespace tolteca::assoc {

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
std::vector<Group> run_groups(std::span<const ObsFact> facts, AssocType type);

// Dispatch on the type (cal_group expects sequence order).
std::vector<Group> compute_groups(AssocType type, std::span<const ObsFact> facts);

// raw_obs_cal_obs: one edge per raw observation and distinct target. The
// target of a pointer (obsnum, subobsnum, scannum) is the raw observation with
// that triple and the pointing observation's master when it exists, else the
// one with the lowest master code; no edge while none exists.
// facts: must contain every pointer's source observation and every candidate
// target (more is fine). Output sorted by (src, dst).
std::vector<CalEdge> cal_edges(std::span<const CalPointer> pointers, std::span<const ObsFact> facts);

}  // namespace tolteca::assoc
