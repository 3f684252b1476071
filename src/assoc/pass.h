#pragma once
// One generation pass over a set of pending observations: per rule, a full
// recomputation or an incremental one over the window the pending
// observations can affect, reconciled into one storage::StoreDiff. Reads
// through the store; writes nothing (the caller applies the diff).
#include <cstdint>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

#include "assoc/engine.h"
#include "model/assoc_type.h"
#include "model/obs_fact.h"
#include "storage/assoc_store.h"

namespace tolteca::assoc {

// Sets last_vna_time to the start time of the last VNA of seq (facts in
// sequence order); leaves it when seq holds none.
void note_last_vna(const std::vector<ObsFact>& seq, std::optional<std::int64_t>& last_vna_time);

class Pass {
 public:
  // pending: the observations of this pass (their ids select the stored
  // groups that contain one); stats: the registry's, taken before the pass.
  Pass(storage::AssocStore& repo, storage::StoreDiff& diff, const std::vector<ObsFact>& pending,
       const storage::RawObsStats& stats);

  std::vector<GroupChange>& changes() { return changes_; }
  // What is stored for a type before this run writes: its groups, or the cal-obs edges.
  std::int64_t stored_count(AssocType t);
  // Distinct observations the pass loaded (all of them once a rule ran in full).
  std::int64_t considered() const;

  // Recomputes type t from all facts. last_vna_time: set for cal_group.
  void full(AssocType t, RuleReport& rep, std::optional<std::int64_t>& last_vna_time);
  // Recomputes what pending (the type's pending observations) can affect.
  // last_vna_time: read and updated for cal_group.
  void incremental(AssocType t, const std::vector<ObsFact>& pending, RuleReport& rep,
                   std::optional<std::int64_t>& last_vna_time);

 private:
  const std::vector<ObsFact>& all_facts();
  const std::vector<ObsFact>& all_in_seq_order();
  // Counts v as considered by the rule and the pass.
  void note(const std::vector<ObsFact>& v, RuleReport& rep);
  // Stored groups of type t having a pending observation as a member (one
  // query per pass for all four types).
  std::vector<storage::StoredGroup> containing(AssocType t);

  void cal_incremental(const std::vector<ObsFact>& pending, RuleReport& rep,
                       std::optional<std::int64_t>& last_vna_time);  // cal_window.cpp
  void drivefit_incremental(const std::vector<ObsFact>& pending, RuleReport& rep);
  void run_incremental(AssocType t, const std::vector<ObsFact>& pending, RuleReport& rep);
  void cal_obs_incremental(const std::vector<ObsFact>& pending, RuleReport& rep);

  storage::AssocStore& repo_;
  storage::StoreDiff& diff_;
  std::vector<GroupChange> changes_;
  storage::RawObsStats stats_;
  std::optional<std::vector<ObsFact>> all_, all_sorted_;
  bool considered_all_ = false;
  std::unordered_set<std::int64_t> seen_;
  std::vector<std::int64_t> pending_ids_;
  std::optional<std::vector<std::pair<AssocType, storage::StoredGroup>>> containing_;
};

}  // namespace tolteca::assoc
