#include "assoc/reconcile.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace tolteca::assoc {

namespace {

using StoredById = std::unordered_map<std::int64_t, storage::StoredGroup>;
using IdByUid = std::unordered_map<std::string, std::int64_t>;

// Safety net: a computed group whose identity is stored but was not in the
// window's stored set becomes an update, never a duplicate.
void load_missing(AssocType t, const std::vector<std::string>& uids, storage::AssocStore& repo, StoredById& stored,
                  IdByUid& by_uid) {
  std::vector<std::string> missing;
  for (const auto& u : uids)
    if (!by_uid.count(u)) missing.push_back(u);
  if (missing.empty()) return;
  auto found = repo.groups_by_uids(t, missing);
  repo.load_members(t, found);
  for (auto& g : found) {
    by_uid.emplace(g.uid, g.id);
    stored.try_emplace(g.id, std::move(g));
  }
}

// Member edges of a stored group against the computed members (sorted):
// edges to add go to u.add_members, edges to remove (also duplicates) to
// diff.removed_edges. s.members is sorted (the query orders by dst).
void diff_members(const std::vector<std::int64_t>& cm, const storage::StoredGroup& s, storage::StoreDiff::Update& u,
                  storage::StoreDiff& diff, RuleReport& rep) {
  std::size_t a = 0, b = 0;
  while (a < cm.size() || b < s.members.size()) {
    if (b < s.members.size() && b > 0 && s.members[b] == s.members[b - 1]) {
      diff.removed_edges.push_back(s.edge_ids[b]);
      ++rep.edges_removed;
      ++b;
    } else if (b == s.members.size() || (a < cm.size() && cm[a] < s.members[b])) {
      u.add_members.push_back(cm[a++]);
    } else if (a == cm.size() || s.members[b] < cm[a]) {
      diff.removed_edges.push_back(s.edge_ids[b]);
      ++rep.edges_removed;
      ++b;
    } else {
      ++a;
      ++b;
    }
  }
}

// A computed group that is stored as s: an update, or unchanged.
void reconcile_stored(Group& g, const storage::StoredGroup& s, std::vector<std::int64_t>& cm,
                      storage::StoreDiff& diff, RuleReport& rep, std::vector<GroupChange>& changes) {
  cm.assign(g.members.begin(), g.members.end());
  std::sort(cm.begin(), cm.end());
  storage::StoreDiff::Update u;
  u.id = s.id;
  const std::size_t removed_before = diff.removed_edges.size();
  diff_members(cm, s, u, diff, rep);
  u.row_changed = s.name != g.name() || s.n_items != g.n() || s.first_obsnum != g.first_obsnum ||
                  s.last_obsnum != g.last_obsnum || s.latest_time != g.latest_time ||
                  s.first_pos.time != g.first_time;
  if (!u.row_changed && u.add_members.empty() && diff.removed_edges.size() == removed_before) {
    ++rep.unchanged;
    return;
  }
  ++rep.updated;
  const std::int64_t before = static_cast<std::int64_t>(s.members.size());
  changes.push_back({rep.type, g.n() > before ? "grown" : g.n() < before ? "shrunk" : "changed", s.uid, g.name(),
                     s.name, g.n(), before});
  rep.edges_added += static_cast<std::int64_t>(u.add_members.size());
  u.group = std::move(g);
  diff.updated.push_back(std::move(u));
}

}  // namespace

void reconcile_groups(AssocType t, std::vector<Group> computed, std::vector<storage::StoredGroup> stored_in,
                      storage::AssocStore& repo, bool stored_is_complete, storage::StoreDiff& diff, RuleReport& rep,
                      std::vector<GroupChange>& changes) {
  // Deduplicate stored groups (windows may load one twice).
  StoredById stored;
  stored.reserve(stored_in.size());
  for (auto& g : stored_in) stored.try_emplace(g.id, std::move(g));
  IdByUid by_uid;
  by_uid.reserve(stored.size());
  for (const auto& [id, g] : stored) by_uid.emplace(g.uid, id);

  std::vector<std::string> uids(computed.size());
  for (std::size_t i = 0; i < computed.size(); ++i) uids[i] = computed[i].uid();
  if (!stored_is_complete) load_missing(t, uids, repo, stored, by_uid);

  std::unordered_set<std::int64_t> used;
  std::vector<std::int64_t> cm;
  for (std::size_t i = 0; i < computed.size(); ++i) {
    Group& g = computed[i];
    auto it = by_uid.find(uids[i]);
    if (it == by_uid.end()) {
      ++rep.created;
      rep.edges_added += g.n();
      changes.push_back({rep.type, "created", uids[i], g.name(), "", g.n(), 0});
      diff.created.push_back(std::move(g));
      continue;
    }
    const storage::StoredGroup& s = stored.at(it->second);
    used.insert(s.id);
    reconcile_stored(g, s, cm, diff, rep, changes);
  }
  for (const auto& [id, s] : stored) {
    if (used.count(id)) continue;
    ++rep.deleted;
    changes.push_back({rep.type, "deleted", s.uid, s.name, s.name, 0, static_cast<std::int64_t>(s.members.size())});
    rep.edges_removed += static_cast<std::int64_t>(s.members.size());
    diff.deleted.push_back(id);
  }
}

void reconcile_cal_edges(const std::vector<CalEdge>& computed, const std::vector<storage::StoredCalEdge>& stored,
                         storage::StoreDiff& diff, RuleReport& rep) {
  struct Key {
    std::int64_t src, dst;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      return std::hash<std::int64_t>()(k.src * 1000003 ^ k.dst);
    }
  };
  std::unordered_map<Key, const storage::StoredCalEdge*, KeyHash> have;
  have.reserve(stored.size());
  std::unordered_set<std::int64_t> keep;
  for (const auto& e : stored) {
    auto [it, inserted] = have.emplace(Key{e.src, e.dst}, &e);
    if (!inserted) {  // a duplicate edge: drop it
      diff.removed_edges.push_back(e.id);
      ++rep.edges_removed;
    }
  }
  for (const auto& e : computed) {
    auto it = have.find(Key{e.src, e.dst});
    if (it != have.end() && it->second->context == cal_edge_context(e.roach_mask)) {
      keep.insert(it->second->id);
      ++rep.unchanged;
      continue;
    }
    if (it != have.end()) ++rep.updated; else ++rep.created;
    diff.cal_added.push_back(e);
    ++rep.edges_added;
  }
  for (const auto& [key, e] : have) {
    if (keep.count(e->id)) continue;
    diff.removed_edges.push_back(e->id);
    ++rep.edges_removed;
    const auto& k = key;  // clang 14 cannot capture a structured binding in a lambda
    if (std::none_of(computed.begin(), computed.end(), [&](const CalEdge& c) { return c.src == k.src && c.dst == k.dst; }))
      ++rep.deleted;
  }
}

}  // namespace tolteca::assoc
