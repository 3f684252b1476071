#pragma once
// The plan of a run: per type, whether an incremental run is possible (the
// state matches the registry) or a full one is needed and why; the state to
// update; and the rules run over a set of pending observations.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "assoc/engine.h"
#include "assoc/pass.h"
#include "assoc/state.h"
#include "storage/assoc_store.h"

namespace tolteca::assoc {

struct Plan {
  std::vector<AssocType> types;
  std::map<AssocType, bool> full;  // per type: full regeneration?
  std::string full_reason;         // the first type's reason
  std::vector<std::string> messages;
  EngineState state;  // loaded (or fresh) state to update
  storage::RawObsStats stats;

  bool any_full() const;
  bool all_full() const;
  // The watermark below which nothing is pending for any type of the plan:
  // the least watermark, 0 for a type running in full (0 without types).
  std::int64_t min_watermark();
};

// Decides, per type (types_in; empty: all), whether an incremental run is
// possible. Reads the state and the registry's statistics; creates the
// registry's instance id when create_instance.
Plan make_plan(storage::AssocStore& repo, StateStore& store, const std::vector<AssocType>& types_in, Mode mode,
               bool create_instance);

// Runs the rules of the plan for the pending facts: fills the pass's diff
// and one report per type; moves each type's watermark to new_watermark.
// check_cancel (may be empty) is called before each rule; what it throws ends the run.
void run_rules(Pass& pass, Plan& plan, const std::vector<ObsFact>& pending, std::int64_t new_watermark,
               std::vector<RuleReport>& reports, const std::function<void()>& check_cancel);

}  // namespace tolteca::assoc
