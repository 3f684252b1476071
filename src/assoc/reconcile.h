#pragma once
// Reconciliation: what to write so that the stored associations equal the
// computed ones (for the part of the registry a run looked at). Fills a
// storage::StoreDiff, the rule's report and the changed groups by name.
#include <vector>

#include "assoc/engine.h"
#include "model/group.h"
#include "storage/assoc_store.h"

namespace tolteca::assoc {

// Groups of type t. stored_in: the stored groups the computed ones may
// replace (with members; duplicates allowed). When !stored_is_complete, a
// computed group whose uid is stored but not in stored_in is looked up in the
// store (an update, never a duplicate). Stored groups not computed are deleted.
void reconcile_groups(AssocType t, std::vector<Group> computed, std::vector<storage::StoredGroup> stored_in,
                      storage::AssocStore& repo, bool stored_is_complete, storage::StoreDiff& diff, RuleReport& rep,
                      std::vector<GroupChange>& changes);

// Cal-obs edges: stored edges not computed (or with another context, or
// duplicated) are removed, computed ones not stored are added.
void reconcile_cal_edges(const std::vector<CalEdge>& computed, const std::vector<storage::StoredCalEdge>& stored,
                         storage::StoreDiff& diff, RuleReport& rep);

}  // namespace tolteca::assoc
