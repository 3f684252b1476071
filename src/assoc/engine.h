#pragma once
// The association engine: full and incremental generation of the groups
// (cal_group, drivefit, focus_group, astig_group) and of the raw_obs_cal_obs
// edges, with its state (watermark + per-rule state) kept in the database or
// in a directory. The rules themselves are pure functions (assoc/rules.h); the
// engine reads and writes only through storage::AssocStore (storage/assoc_store.h).
//
// Library entry point for other parts (e.g. `ingest directory --with-associations`):
//
//   tolteca::assoc::GenerateOptions opt;            // incremental, database state, all types
//   auto report = tolteca::assoc::generate(store, opt);
//
// Errors: the typed errors of assoc/errors.h (what() names no flag), UserError
// for state files that cannot be read or written; the store's errors pass through.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/assoc_type.h"
#include "storage/assoc_store.h"

namespace tolteca::assoc {

// What the engine maintains: AssocType (model/assoc_type.h), the four group
// types plus the cal-obs edges.

// Comma-separated assoc_type_name()s and aliases (parse_assoc_type), blanks
// around names ignored; sorted, without repeats. Throws UnknownAssocType
// naming the bad entry, NoAssocTypes for a list without a name.
std::vector<AssocType> parse_assoc_types(const std::string& comma_separated);

enum class Mode { incremental, full };
enum class StateBackend { database, filesystem };

struct StateOptions {
  StateBackend backend = StateBackend::database;
  std::string dir;  // filesystem backend: the directory holding assoc_state.json
};

struct GenerateOptions {
  Mode mode = Mode::incremental;
  StateOptions state;
  std::vector<AssocType> types;  // empty: all
  bool dry_run = false;         // compute and report; write nothing (database nor state files)
  // Incremental runs switch to a full regeneration when more than this many
  // observations are pending (windows would cover most of the data anyway).
  std::int64_t auto_full_min_pending = 50'000;
  double auto_full_fraction = 0.25;
  // Called before each rule and before the commit; a caller that wants to stop (the Python package's
  // Ctrl-C) throws from it: the generation's transaction is rolled back and nothing is written.
  std::function<void()> check_cancel;
};

// One group the run created, changed or deleted, by name.
struct GroupChange {
  std::string type;    // cal_group, drivefit, focus_group, astig_group
  std::string change;  // "created", "grown", "shrunk", "changed" (same size, other members/times), "deleted"
  std::string uid;
  std::string name;      // the name after the run (before it, for "deleted")
  std::string old_name;  // the name before the run ("" for "created")
  std::int64_t n_items = 0, old_n_items = 0;
};

struct RuleReport {
  std::string type;
  // unchanged: stored groups (edges for raw_obs_cal_obs) this run left as they were, considered or not.
  std::int64_t created = 0, updated = 0, deleted = 0, unchanged = 0;
  std::int64_t edges_added = 0, edges_removed = 0;
  std::int64_t pending = 0;     // observations pending for this rule
  std::int64_t considered = 0;  // observations the rule looked at (window size)
};

// What a run (or batch) changed, summed over its rules.
struct ChangeCounts {
  std::int64_t groups_created = 0, groups_updated = 0, groups_deleted = 0;
  std::int64_t groups_unchanged = 0;
  std::int64_t edges_added = 0, edges_removed = 0;  // member and cal-obs edges
  // Adds one rule's counts (for raw_obs_cal_obs only its edges).
  void add(const RuleReport& r);
  ChangeCounts& operator+=(const ChangeCounts& o);
};

struct GenerateReport : ChangeCounts {
  std::string mode;         // what ran: "incremental" or "full"
  std::string full_reason;  // why a full run happened ("requested", "no state", "state mismatch: ...")
  bool dry_run = false;
  std::int64_t raw_obs_total = 0;
  std::int64_t pending = 0;     // observations with ingest_seq above the watermark
  std::int64_t considered = 0;  // distinct observations loaded
  std::int64_t watermark_before = 0, watermark_after = 0;
  std::vector<RuleReport> rules;  // the counts (ChangeCounts) are their sum
  double elapsed_s = 0;
  std::vector<std::string> messages;  // said out loud (e.g. why a full regeneration ran)
  std::vector<GroupChange> changes;   // every group created, changed or deleted, in rule order
};

// Runs one generation. Writes groups, edges and state in one transaction
// (filesystem state is written after the commit, atomically). Throws
// ReadOnlyStore on a read-only store unless dry_run.
GenerateReport generate(storage::AssocStore& store, const GenerateOptions& options);

struct StreamOptions {
  StateOptions state;
  std::vector<AssocType> types;
  std::int64_t batch_size = 1000;  // observations per batch (ingest order)
  std::int64_t commit_every = 1;   // batches per transaction
  std::int64_t max_batches = 0;    // 0: until nothing is pending
  bool dry_run = false;
  // As GenerateOptions::check_cancel, also before each batch: batches committed before it stay.
  std::function<void()> check_cancel;
};

struct BatchReport : ChangeCounts {
  std::int64_t index = 0;
  std::int64_t observations = 0;
  std::int64_t considered = 0;
  std::int64_t watermark = 0;
  bool committed = false;
  double elapsed_s = 0;
};

struct StreamReport {
  std::vector<BatchReport> batches;
  std::int64_t remaining = 0;  // still pending after the last batch
  std::string full_reason;     // non-empty when the state did not match and a full run happened first
  double elapsed_s = 0;
};

// Processes the pending observations in ingest order, batch by batch.
// on_batch (optional) is called after each batch. Throws
// NonPositiveStreamSize for batch_size or commit_every <= 0, ReadOnlyStore on
// a read-only store unless dry_run.
StreamReport stream(storage::AssocStore& store, const StreamOptions& options,
                    const std::function<void(const BatchReport&)>& on_batch = {});

struct StateInfo {
  std::string backend;   // "database" or "filesystem"
  std::string location;  // table name or file path
  bool exists = false;
  std::string mismatch;  // non-empty: why the next incremental run will be a full one
  std::int64_t raw_obs_total = 0;
  std::int64_t max_ingest_seq = 0;
  struct Rule {
    std::string type;
    std::optional<std::int64_t> watermark;
    std::int64_t pending = 0;
    std::int64_t groups = 0;  // stored groups (or edges for raw_obs_cal_obs)
  };
  std::vector<Rule> rules;
  std::int64_t state_bytes = 0;
  std::string updated_at;
};

StateInfo state_info(storage::AssocStore& store, const StateOptions& options);
// Removes the state (the next incremental run is a full one). Groups stay.
// Throws ReadOnlyStore on a read-only store.
void reset_state(storage::AssocStore& store, const StateOptions& options);

}  // namespace tolteca::assoc
