#pragma once
// Storage of the association engine: reading raw-observation facts and
// windows of them, reading stored groups/edges, applying a difference, and
// the database state backend. All SQL of the association part lives in
// assoc_repo.cpp; signatures carry no SQL and no DuckDB types.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "assoc/facts.h"
#include "assoc/rules.h"
#include "db/session.h"
#include "query/spec.h"

namespace tolteca::db {

struct RawObsStats {
  std::int64_t total = 0;           // raw observations
  std::int64_t max_id = 0;          // largest products.id of a raw observation
  std::int64_t max_ingest_seq = 0;  // largest ingest_seq of a raw observation
  std::optional<std::int64_t> count_up_to;  // raw observations with id <= the id asked for
  std::optional<std::int64_t> min_time, max_time;  // earliest / latest start time
};

struct StoredGroup {
  std::int64_t id = 0;
  std::string uid, name;
  std::int64_t n_items = 0, first_obsnum = 0, last_obsnum = 0;
  std::int64_t latest_time = assoc::kNoTime;
  assoc::SeqPos first_pos;            // start time + quartet of the first member
  std::vector<std::int64_t> members;  // dst product ids of the group's member edges (sorted)
  std::vector<std::int64_t> edge_ids;  // parallel to members
};

struct StoredCalEdge {
  std::int64_t id = 0, src = 0, dst = 0;
  std::string context;
};

// What to write: produced by the engine, applied in the caller's transaction.
struct StoreDiff {
  std::vector<assoc::Group> created;
  struct Update {
    std::int64_t id = 0;
    assoc::Group group;
    bool row_changed = false;
    std::vector<std::int64_t> add_members;
  };
  std::vector<Update> updated;
  std::vector<std::int64_t> deleted;        // group product ids (their edges go too)
  std::vector<std::int64_t> removed_edges;  // edge ids (member edges and cal-obs edges)
  std::vector<assoc::CalEdge> cal_added;
  bool empty() const {
    return created.empty() && updated.empty() && deleted.empty() && removed_edges.empty() && cal_added.empty();
  }
};

// Everything the engine maintains, in canonical order (for comparisons in
// tests and `assoc` diagnostics).
struct AssocDump {
  struct G {
    std::string product_type, uid, name;
    std::int64_t n_items = 0, first_obsnum = 0, last_obsnum = 0;
    std::int64_t first_time = 0, latest_time = 0;  // microseconds (kNoTime when NULL)
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

class AssocRepo {
 public:
  explicit AssocRepo(Session& s) : s_(s) {}

  RawObsStats raw_obs_stats(std::optional<std::int64_t> count_up_to_id = std::nullopt);
  std::int64_t count_raw_obs_up_to_id(std::int64_t max_id);
  std::int64_t count_pending(std::int64_t watermark);
  // A random id of this database (schema_meta 'instance_id'), created on
  // first use unless read_only; nullopt when absent and read-only.
  std::optional<std::string> instance_id(bool create);

  // ---- facts --------------------------------------------------------------
  std::vector<assoc::ObsFact> all_facts();
  // ingest_seq > watermark, in ingest order; limit 0 = all.
  std::vector<assoc::ObsFact> pending_facts(std::int64_t watermark, std::int64_t limit = 0);
  std::vector<assoc::ObsFact> facts_by_ids(const std::vector<std::int64_t>& ids);
  std::vector<assoc::ObsFact> facts_by_obsnums(const std::vector<std::int64_t>& obsnums);
  // Sweeps with start time in [t_lo, t_hi] (open ends when absent; an open
  // lower end includes unknown start times).
  std::vector<assoc::ObsFact> sweeps_between(std::optional<std::int64_t> t_lo, std::optional<std::int64_t> t_hi);
  std::vector<assoc::ObsFact> target_sweeps_with_obsnums(const std::vector<std::int64_t>& obsnums);
  // Observations of the goal class, master and obsnum in [lo, hi].
  std::vector<assoc::ObsFact> goal_obs(assoc::GoalClass goal, std::uint8_t master, std::int64_t lo, std::int64_t hi);

  // ---- stored groups ----------------------------------------------------------
  // Rows only (members empty) unless said otherwise; load_members fills them.
  std::vector<StoredGroup> groups_all(assoc::GroupType t);  // with members
  void load_members(assoc::GroupType t, std::vector<StoredGroup>& groups, bool all = false);
  std::vector<StoredGroup> groups_by_uids(assoc::GroupType t, const std::vector<std::string>& uids);
  // Groups of the four types having any of member_ids as a member.
  std::vector<std::pair<assoc::GroupType, StoredGroup>> groups_containing(const std::vector<std::int64_t>& member_ids);
  // First member start time <= t_hi and latest member time >= t_lo.
  std::vector<StoredGroup> groups_overlapping_time(assoc::GroupType t, std::optional<std::int64_t> t_lo,
                                                   std::optional<std::int64_t> t_hi);
  std::vector<StoredGroup> groups_with_first_obsnums(assoc::GroupType t, const std::vector<std::int64_t>& obsnums);
  // Of the master, with [first_obsnum, last_obsnum] overlapping [lo, hi].
  std::vector<StoredGroup> groups_overlapping_obsnums(assoc::GroupType t, std::uint8_t master, std::int64_t lo,
                                                      std::int64_t hi);
  std::int64_t count_groups(assoc::GroupType t);

  // ---- cal pointers and edges ---------------------------------------------
  std::vector<assoc::CalPointer> all_pointers();
  std::vector<assoc::CalPointer> pointers_of(const std::vector<std::int64_t>& src_ids);
  // Pointers of src_ids, and pointers whose target obsnum is one of obsnums.
  std::vector<assoc::CalPointer> pointers_of_or_to(const std::vector<std::int64_t>& src_ids,
                                                   const std::vector<std::int64_t>& obsnums);
  // Pointers whose target obsnum is one of obsnums (any sub/scan).
  std::vector<assoc::CalPointer> pointers_to_obsnums(const std::vector<std::int64_t>& obsnums);
  std::vector<StoredCalEdge> cal_edges_all();
  std::vector<StoredCalEdge> cal_edges_from(const std::vector<std::int64_t>& src_ids);
  std::int64_t count_cal_edges();

  AssocDump dump();

  // ---- writing (call inside a db::Transaction) ------------------------------
  void apply(const StoreDiff& diff);
  void log_event(const std::string& message, const std::string& details_json);

  // ---- named groups ------------------------------------------------------------
  // Raw observations a spec selects (product ids, sequence order).
  std::vector<std::int64_t> resolve_spec(const query::ObsSpec& spec);
  // A product with this exact uid, or else this exact name (first by id).
  std::optional<std::int64_t> product_by_uid_or_name(const std::string& text);
  std::optional<std::int64_t> named_group_id(const std::string& name);
  std::int64_t create_named_group(const std::string& name);
  std::int64_t add_named_members(std::int64_t group_id, const std::vector<std::int64_t>& ids);     // new edges
  std::int64_t remove_named_members(std::int64_t group_id, const std::vector<std::int64_t>& ids);  // removed edges
  void delete_named_group(std::int64_t group_id);
  struct NamedGroupRow {
    std::int64_t id = 0;
    std::string name;
    std::int64_t n_items = 0;
    std::int64_t created_at = 0, updated_at = 0;
  };
  std::vector<NamedGroupRow> named_groups();
  std::vector<std::string> named_members(std::int64_t group_id);  // member uids

  // ---- database state backend ----------------------------------------------
  std::optional<std::string> read_state();
  void write_state(const std::string& json);
  void delete_state();

 private:
  Session& s_;
};

}  // namespace tolteca::db
