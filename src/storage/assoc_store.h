#pragma once
// The associations' storage interface (leveldb include/leveldb/db.h style):
// everything the association engine (assoc/) reads from and writes to a
// registry, with each operation's contract. No SQL and no backend type above
// this line; the DuckDB implementation is storage/duckdb/assoc_store.h, a
// PostgreSQL one implements the same class.
//
// Reads: every read below returns a consistent view of the registry as of the
// call; inside a Transaction (begin()) all reads see one snapshot plus the
// transaction's own writes. Reads never write (instance_id(true) excepted).
//
// Writes: apply, log_event, write_state/delete_state and the named-group
// operations are meant to run inside a Transaction; outside one each
// statement commits on its own (the backend's autocommit). A write on a
// read-only store throws.
//
// Errors: a backend failure throws a std::exception that is not a UserError
// (a bug or a broken registry: exit 2); nothing below throws a UserError.
//
// Threads: one thread at a time per store (like the connection under it).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/assoc_type.h"
#include "model/group.h"
#include "model/obs_fact.h"
#include "model/obs_spec.h"
#include "storage/options.h"

namespace tolteca::storage {

// Options of an AssocStore, field by field.

struct RawObsStats {
  std::int64_t total = 0;                          // raw observations
  std::int64_t max_id = 0;                         // largest product id of a raw observation
  std::int64_t max_ingest_seq = 0;                 // largest ingest_seq of a raw observation
  std::optional<std::int64_t> count_up_to;         // raw observations with id <= the id asked for
  std::optional<std::int64_t> min_time, max_time;  // earliest / latest start time
};

// A stored group (of one of kGroupTypes): its product row and member edges.
struct StoredGroup {
  std::int64_t id = 0;  // product id
  std::string uid, name;
  std::int64_t n_items = 0, first_obsnum = 0, last_obsnum = 0;
  std::int64_t latest_time = kNoTime;
  SeqPos first_pos;                     // start time + quartet of the first member
  std::vector<std::int64_t> members;    // dst product ids of the group's member edges (sorted)
  std::vector<std::int64_t> edge_ids;   // parallel to members
};

struct StoredCalEdge {
  std::int64_t id = 0, src = 0, dst = 0;
  std::string context;  // cal_edge_context() of the networks
};

// What to write: produced by the engine, applied in the caller's transaction.
struct StoreDiff {
  std::vector<Group> created;
  struct Update {
    std::int64_t id = 0;
    Group group;
    bool row_changed = false;              // the product row (name, counts, times) changes
    std::vector<std::int64_t> add_members;  // member edges to add
  };
  std::vector<Update> updated;
  std::vector<std::int64_t> deleted;        // group product ids (their edges go too)
  std::vector<std::int64_t> removed_edges;  // edge ids (member edges and cal-obs edges)
  std::vector<CalEdge> cal_added;
  bool empty() const {
    return created.empty() && updated.empty() && deleted.empty() && removed_edges.empty() && cal_added.empty();
  }
};

// Everything the engine maintains, in canonical order (for comparisons in
// tests and diagnostics).
struct AssocDump {
  struct G {
    std::string product_type, uid, name;
    std::int64_t n_items = 0, first_obsnum = 0, last_obsnum = 0;
    std::int64_t first_time = 0, latest_time = 0;  // microseconds (kNoTime when unknown)
    std::vector<std::string> members;               // member uids, sorted
    bool operator==(const G&) const = default;
  };
  struct E {
    std::string src, dst, context;
    bool operator==(const E&) const = default;
  };
  std::vector<G> groups;     // sorted by uid
  std::vector<E> cal_edges;  // sorted by (src, dst)
  bool operator==(const AssocDump&) const = default;
};

struct NamedGroupRow {
  std::int64_t id = 0;
  std::string name;
  std::int64_t n_items = 0;
  std::int64_t created_at = 0, updated_at = 0;  // microseconds since the epoch
};

class AssocStore {
 public:
  virtual ~AssocStore() = default;

  // A transaction: begun by begin(), committed by commit(); destroyed
  // without commit() it rolls back (nothing of it stays).
  class Transaction {
   public:
    virtual ~Transaction() = default;
    // Throws (the backend's error) when the commit fails; nothing is written then.
    virtual void commit() = 0;
  };
  // Begins a transaction on this store (one at a time; no nesting).
  virtual std::unique_ptr<Transaction> begin() = 0;
  // True when the registry was opened read-only: every write throws.
  virtual bool read_only() const = 0;

  // ---- statistics -----------------------------------------------------------
  // Reads the raw observations' counts; count_up_to is set when an id is given.
  virtual RawObsStats raw_obs_stats(std::optional<std::int64_t> count_up_to_id = std::nullopt) = 0;
  // Raw observations with product id <= max_id.
  virtual std::int64_t count_raw_obs_up_to_id(std::int64_t max_id) = 0;
  // Raw observations with ingest_seq > watermark.
  virtual std::int64_t count_pending(std::int64_t watermark) = 0;
  // A random id of this registry, created (written) on first use when
  // create; nullopt when absent and !create.
  virtual std::optional<std::string> instance_id(bool create) = 0;

  // ---- facts (raw observations) -------------------------------------------------
  virtual std::vector<ObsFact> all_facts() = 0;
  // ingest_seq > watermark, in ingest order; limit 0 = all.
  virtual std::vector<ObsFact> pending_facts(std::int64_t watermark, std::int64_t limit = 0) = 0;
  virtual std::vector<ObsFact> facts_by_ids(const std::vector<std::int64_t>& ids) = 0;
  virtual std::vector<ObsFact> facts_by_obsnums(const std::vector<std::int64_t>& obsnums) = 0;
  // Sweeps with start time in [t_lo, t_hi] (open ends when absent; an open
  // lower end includes unknown start times).
  virtual std::vector<ObsFact> sweeps_between(std::optional<std::int64_t> t_lo, std::optional<std::int64_t> t_hi) = 0;
  virtual std::vector<ObsFact> target_sweeps_with_obsnums(const std::vector<std::int64_t>& obsnums) = 0;
  // Observations of the goal class (focus / astig), master and obsnum in [lo, hi].
  virtual std::vector<ObsFact> goal_obs(GoalClass goal, std::uint8_t master, std::int64_t lo, std::int64_t hi) = 0;

  // ---- stored groups (t is one of kGroupTypes) ------------------------------------
  // Rows only (members empty) unless said otherwise; load_members fills them.
  virtual std::vector<StoredGroup> groups_all(AssocType t) = 0;  // with members
  // Fills members/edge_ids of groups (all: read every member edge of the type at once).
  virtual void load_members(AssocType t, std::vector<StoredGroup>& groups, bool all = false) = 0;
  virtual std::vector<StoredGroup> groups_by_uids(AssocType t, const std::vector<std::string>& uids) = 0;
  // Groups of the four types having any of member_ids as a member.
  virtual std::vector<std::pair<AssocType, StoredGroup>> groups_containing(
      const std::vector<std::int64_t>& member_ids) = 0;
  // First member start time <= t_hi and latest member time >= t_lo.
  virtual std::vector<StoredGroup> groups_overlapping_time(AssocType t, std::optional<std::int64_t> t_lo,
                                                           std::optional<std::int64_t> t_hi) = 0;
  virtual std::vector<StoredGroup> groups_with_first_obsnums(AssocType t,
                                                             const std::vector<std::int64_t>& obsnums) = 0;
  // Of the master, with [first_obsnum, last_obsnum] overlapping [lo, hi].
  virtual std::vector<StoredGroup> groups_overlapping_obsnums(AssocType t, std::uint8_t master, std::int64_t lo,
                                                              std::int64_t hi) = 0;
  virtual std::int64_t count_groups(AssocType t) = 0;

  // ---- cal pointers and edges ---------------------------------------------------
  virtual std::vector<CalPointer> all_pointers() = 0;
  virtual std::vector<CalPointer> pointers_of(const std::vector<std::int64_t>& src_ids) = 0;
  // Pointers of src_ids, and pointers whose target obsnum is one of obsnums.
  virtual std::vector<CalPointer> pointers_of_or_to(const std::vector<std::int64_t>& src_ids,
                                                    const std::vector<std::int64_t>& obsnums) = 0;
  // Pointers whose target obsnum is one of obsnums (any sub/scan).
  virtual std::vector<CalPointer> pointers_to_obsnums(const std::vector<std::int64_t>& obsnums) = 0;
  virtual std::vector<StoredCalEdge> cal_edges_all() = 0;
  virtual std::vector<StoredCalEdge> cal_edges_from(const std::vector<std::int64_t>& src_ids) = 0;
  virtual std::int64_t count_cal_edges() = 0;

  // Reads everything the engine maintains.
  virtual AssocDump dump() = 0;

  // ---- writing (inside a Transaction) ------------------------------------------------
  // Writes the difference: deletes groups (with their edges) and edges,
  // updates group rows, creates groups and edges (bulk: a backend appends
  // them in bulk, new ids from its sequences).
  virtual void apply(const StoreDiff& diff) = 0;
  // Writes one event (kind 'assoc') with its JSON details.
  virtual void log_event(const std::string& message, const std::string& details_json) = 0;

  // ---- named groups (inside a Transaction) -------------------------------------------
  // Reads: raw observations a spec selects (product ids, sequence order).
  virtual std::vector<std::int64_t> resolve_spec(const query::ObsSpec& spec) = 0;
  // Reads: a product with this exact uid, or else this exact name (first by id).
  virtual std::optional<std::int64_t> product_by_uid_or_name(const std::string& text) = 0;
  virtual std::optional<std::int64_t> named_group_id(const std::string& name) = 0;
  // Writes: a new named group product; returns its id.
  virtual std::int64_t create_named_group(const std::string& name) = 0;
  // Writes: member edges; returns how many were new / removed. Refreshes the group's counts.
  virtual std::int64_t add_named_members(std::int64_t group_id, const std::vector<std::int64_t>& ids) = 0;
  virtual std::int64_t remove_named_members(std::int64_t group_id, const std::vector<std::int64_t>& ids) = 0;
  // Writes: removes the group and every edge from or to it.
  virtual void delete_named_group(std::int64_t group_id) = 0;
  virtual std::vector<NamedGroupRow> named_groups() = 0;                 // by name
  virtual std::vector<std::string> named_members(std::int64_t group_id) = 0;  // member uids

  // ---- the engine state kept in the registry ----------------------------------------
  virtual std::optional<std::string> read_state() = 0;
  // Writes (replaces) the state document.
  virtual void write_state(const std::string& json) = 0;
  virtual void delete_state() = 0;
};

}  // namespace tolteca::storage
