#include "assoc/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <unordered_map>
#include <tuple>
#include <unordered_set>

#include "assoc/rules.h"
#include "assoc/state.h"
#include "db/assoc_repo.h"
#include "db/duckdb.h"
#include "model/error.h"
#include "model/time.h"

namespace tolteca::assoc {

// ---- names ----------------------------------------------------------------

std::string rule_name(RuleType t) {
  switch (t) {
    case RuleType::cal_group: return "cal_group";
    case RuleType::drivefit: return "drivefit";
    case RuleType::focus_group: return "focus_group";
    case RuleType::astig_group: return "astig_group";
    case RuleType::cal_obs: return "raw_obs_cal_obs";
  }
  return "?";
}

const std::vector<RuleType>& all_rule_types() {
  static const std::vector<RuleType> v{RuleType::cal_group, RuleType::drivefit, RuleType::focus_group,
                                       RuleType::astig_group, RuleType::cal_obs};
  return v;
}

std::vector<RuleType> parse_rule_types(const std::string& text) {
  std::vector<RuleType> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    start = end + 1;
    if (item.empty()) continue;
    std::optional<RuleType> t;
    for (RuleType r : all_rule_types())
      if (item == rule_name(r)) t = r;
    if (item == "cal_obs" || item == "cal_edges" || item == "dpa_raw_obs_cal_obs") t = RuleType::cal_obs;
    if (item == "cal" || item == "dp_cal_group") t = RuleType::cal_group;
    if (item == "focus" || item == "dp_focus_group") t = RuleType::focus_group;
    if (item == "astig" || item == "dp_astig_group") t = RuleType::astig_group;
    if (item == "dp_drivefit") t = RuleType::drivefit;
    if (!t)
      throw UserError(fmt::format("unknown association type '{}' in --types; valid: cal_group, drivefit, "
                                  "focus_group, astig_group, raw_obs_cal_obs",
                                  item));
    if (std::find(out.begin(), out.end(), *t) == out.end()) out.push_back(*t);
  }
  if (out.empty()) throw UserError("--types is empty; valid: cal_group, drivefit, focus_group, astig_group, raw_obs_cal_obs");
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

GroupType group_type(RuleType t) { return static_cast<GroupType>(static_cast<std::uint8_t>(t)); }

std::string now_iso() {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch());
  return format_iso8601(us.count() - us.count() % 1'000'000);
}

// ---- reconciliation -----------------------------------------------------------

void reconcile_groups(GroupType t, std::vector<Group> computed, std::vector<db::StoredGroup> stored_in,
                      db::AssocRepo& repo, bool stored_is_complete, db::StoreDiff& diff, RuleReport& rep,
                      std::vector<GroupChange>& changes) {
  // Deduplicate stored groups (windows may load one twice).
  std::unordered_map<std::int64_t, db::StoredGroup> stored;
  stored.reserve(stored_in.size());
  for (auto& g : stored_in) stored.try_emplace(g.id, std::move(g));
  std::unordered_map<std::string, std::int64_t> by_uid;
  by_uid.reserve(stored.size());
  for (const auto& [id, g] : stored) by_uid.emplace(g.uid, id);

  std::vector<std::string> uids(computed.size());
  for (std::size_t i = 0; i < computed.size(); ++i) uids[i] = computed[i].uid();
  if (!stored_is_complete) {
    // Safety net: a computed group whose identity is stored but was not in
    // the window's stored set becomes an update, never a duplicate.
    std::vector<std::string> missing;
    for (const auto& u : uids)
      if (!by_uid.count(u)) missing.push_back(u);
    if (!missing.empty()) {
      auto found = repo.groups_by_uids(t, missing);
      repo.load_members(t, found);
      for (auto& g : found) {
        by_uid.emplace(g.uid, g.id);
        stored.try_emplace(g.id, std::move(g));
      }
    }
  }

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
    const db::StoredGroup& s = stored.at(it->second);
    used.insert(s.id);
    cm.assign(g.members.begin(), g.members.end());
    std::sort(cm.begin(), cm.end());
    db::StoreDiff::Update u;
    u.id = s.id;
    // s.members is sorted (the query orders by dst); duplicates are removed.
    std::size_t a = 0, b = 0;
    const std::size_t removed_before = diff.removed_edges.size();
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
    u.row_changed = s.name != g.name() || s.n_items != g.n() || s.first_obsnum != g.first_obsnum ||
                    s.last_obsnum != g.last_obsnum || s.latest_time != g.latest_time ||
                    s.first_pos.time != g.first_time;
    if (u.row_changed || !u.add_members.empty() || diff.removed_edges.size() != removed_before) {
      ++rep.updated;
      const std::int64_t before = static_cast<std::int64_t>(s.members.size());
      changes.push_back({rep.type, g.n() > before ? "grown" : g.n() < before ? "shrunk" : "changed", s.uid, g.name(),
                         s.name, g.n(), before});
      rep.edges_added += static_cast<std::int64_t>(u.add_members.size());
      u.group = std::move(g);
      diff.updated.push_back(std::move(u));
    } else {
      ++rep.unchanged;
    }
  }
  for (const auto& [id, s] : stored) {
    if (used.count(id)) continue;
    ++rep.deleted;
    changes.push_back({rep.type, "deleted", s.uid, s.name, s.name, 0, static_cast<std::int64_t>(s.members.size())});
    rep.edges_removed += static_cast<std::int64_t>(s.members.size());
    diff.deleted.push_back(id);
  }
}

void reconcile_cal_edges(const std::vector<CalEdge>& computed, const std::vector<db::StoredCalEdge>& stored,
                         db::StoreDiff& diff, RuleReport& rep) {
  struct Key {
    std::int64_t src, dst;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      return std::hash<std::int64_t>()(k.src * 1000003 ^ k.dst);
    }
  };
  std::unordered_map<Key, const db::StoredCalEdge*, KeyHash> have;
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

// ---- one generation pass over a set of pending observations ------------------------

class Pass {
 public:
  Pass(db::AssocRepo& repo, db::StoreDiff& diff, const std::vector<ObsFact>& pending, const db::RawObsStats& stats)
      : repo_(repo), diff_(diff), stats_(stats) {
    for (const auto& f : pending) pending_ids_.push_back(f.id);
  }

  const std::vector<ObsFact>& all_facts() {
    if (!all_) {
      all_ = repo_.all_facts();
      considered_all_ = true;
    }
    return *all_;
  }
  const std::vector<ObsFact>& all_in_seq_order() {
    if (!all_sorted_) {
      all_sorted_ = all_facts();
      std::sort(all_sorted_->begin(), all_sorted_->end(), seq_less);
    }
    return *all_sorted_;
  }

  std::vector<GroupChange>& changes() { return changes_; }
  // What is stored for a rule before this run writes: groups of its type, or cal-obs edges.
  std::int64_t stored_count(RuleType r) {
    return r == RuleType::cal_obs ? repo_.count_cal_edges() : repo_.count_groups(group_type(r));
  }

  std::int64_t considered() const {
    return considered_all_ ? static_cast<std::int64_t>(all_->size()) : static_cast<std::int64_t>(seen_.size());
  }

  void full(RuleType r, RuleReport& rep, std::optional<std::int64_t>& last_vna_time) {
    if (r == RuleType::cal_obs) {
      auto ptrs = repo_.all_pointers();
      auto edges = cal_edges(ptrs, all_facts());
      reconcile_cal_edges(edges, repo_.cal_edges_all(), diff_, rep);
    } else {
      const GroupType t = group_type(r);
      std::vector<Group> groups =
          t == GroupType::cal_group ? cal_groups(all_in_seq_order()) : compute_groups(t, all_facts());
      if (t == GroupType::cal_group) {
        const auto& v = all_in_seq_order();
        for (auto it = v.rbegin(); it != v.rend(); ++it)
          if (it->has_kind(DataKind::VnaSweep)) {
            last_vna_time = it->time;
            break;
          }
      }
      reconcile_groups(t, std::move(groups), repo_.groups_all(t), repo_, true, diff_, rep, changes_);
    }
    rep.considered = static_cast<std::int64_t>(all_facts().size());
  }

  void incremental(RuleType r, const std::vector<ObsFact>& pending, RuleReport& rep,
                   std::optional<std::int64_t>& last_vna_time) {
    rep.pending = static_cast<std::int64_t>(pending.size());
    if (pending.empty()) return;
    for (const auto& f : pending) seen_.insert(f.id);
    switch (r) {
      case RuleType::cal_group: cal_incremental(pending, rep, last_vna_time); break;
      case RuleType::drivefit: drivefit_incremental(pending, rep); break;
      case RuleType::focus_group:
      case RuleType::astig_group: run_incremental(group_type(r), pending, rep); break;
      case RuleType::cal_obs: cal_obs_incremental(pending, rep); break;
    }
  }

 private:
  void note(const std::vector<ObsFact>& v, RuleReport& rep) {
    rep.considered += static_cast<std::int64_t>(v.size());
    for (const auto& f : v) seen_.insert(f.id);
  }

  // Stored groups (all four types) having a pending observation as a member:
  // one query per pass (a superset for rules whose pending set is smaller).
  std::vector<db::StoredGroup> containing(GroupType t) {
    if (!containing_) containing_ = repo_.groups_containing(pending_ids_);
    std::vector<db::StoredGroup> out;
    for (const auto& [type, g] : *containing_)
      if (type == t) out.push_back(g);
    return out;
  }

  void cal_incremental(const std::vector<ObsFact>& pending, RuleReport& rep,
                       std::optional<std::int64_t>& last_vna_time) {
    constexpr std::int64_t kDay = 86'400'000'000LL;
    SeqPos lo = SeqPos::highest(std::numeric_limits<std::int64_t>::max());
    SeqPos hi = SeqPos::lowest(kNoTime);
    bool any = false;
    for (const auto& f : pending) {
      if (!f.is_sweep()) continue;
      lo = std::min(lo, f.pos());
      hi = std::max(hi, f.pos());
      any = true;
    }
    std::unordered_map<std::int64_t, db::StoredGroup> R;
    for (auto& g : containing(GroupType::cal_group)) {
      lo = std::min(lo, g.first_pos);
      hi = std::max(hi, SeqPos::highest(g.latest_time));
      any = true;
      R.emplace(g.id, std::move(g));
    }
    if (!any) return;
    // The window is [a, b): a = the last VNA at or before lo (the start when
    // none), b = the first VNA after hi (the end when none); widened until
    // every stored group overlapping it lies inside it. Sweeps are loaded by
    // start-time range [q_lo, q_hi] (nullopt = open) and searched in memory.
    std::optional<std::int64_t> q_lo, q_hi;
    std::int64_t pad_lo = kDay, pad_hi = kDay;
    // Ranges reaching past the data's first/last start time are open.
    auto lower_for = [&](std::int64_t t) -> std::optional<std::int64_t> {
      if (t == kNoTime || pad_lo > 64 * kDay) return std::nullopt;
      std::int64_t q = t - pad_lo;
      if (last_vna_time && *last_vna_time <= t && t - *last_vna_time < 30 * kDay) q = std::min(q, *last_vna_time);
      if (!stats_.min_time || q <= *stats_.min_time) return std::nullopt;
      return q;
    };
    auto upper_for = [&](std::int64_t t) -> std::optional<std::int64_t> {
      if (t == kNoTime || pad_hi > 64 * kDay) return std::nullopt;
      if (!stats_.max_time || t + pad_hi >= *stats_.max_time) return std::nullopt;
      return t + pad_hi;
    };
    q_lo = lower_for(lo.time);
    q_hi = upper_for(hi.time);
    std::vector<ObsFact> loaded;
    bool need_load = true;
    const ObsFact* a = nullptr;
    const ObsFact* b = nullptr;
    std::optional<std::optional<std::int64_t>> queried_lo, queried_hi;
    for (int guard = 0; guard < 1000; ++guard) {
      if (need_load) {
        loaded = repo_.sweeps_between(q_lo, q_hi);
        std::sort(loaded.begin(), loaded.end(), seq_less);
        need_load = false;
      }
      // a: last VNA <= lo; b: first VNA > hi (in the loaded range).
      a = b = nullptr;
      for (const auto& f : loaded) {
        if (!f.has_kind(DataKind::VnaSweep)) continue;
        if (f.pos() <= lo) a = &f;
        if (!b && hi < f.pos()) b = &f;
      }
      if (!a && q_lo) {  // maybe earlier than the loaded range
        pad_lo *= 4;
        q_lo = lower_for(lo.time);
        need_load = true;
        continue;
      }
      if (!b && q_hi) {
        pad_hi *= 4;
        q_hi = upper_for(hi.time);
        need_load = true;
        continue;
      }
      const std::optional<std::int64_t> t_lo = (a && a->time != kNoTime) ? std::optional(a->time) : std::nullopt;
      const std::optional<std::int64_t> t_hi = b ? std::optional(b->time) : std::nullopt;
      if (!queried_lo || *queried_lo != t_lo || !queried_hi || *queried_hi != t_hi) {
        for (auto& g : repo_.groups_overlapping_time(GroupType::cal_group, t_lo, t_hi))
          R.try_emplace(g.id, std::move(g));
        queried_lo = t_lo;
        queried_hi = t_hi;
      }
      bool changed = false;
      for (const auto& [id, g] : R) {
        if (a && g.first_pos < a->pos() && g.first_pos < lo) {
          lo = g.first_pos;
          changed = true;
        }
        const SeqPos h = SeqPos::highest(g.latest_time);
        if (b && h >= b->pos() && h > hi) {
          hi = h;
          changed = true;
        }
      }
      if (!changed) break;
      if (q_lo && (lo.time == kNoTime || lo.time < *q_lo)) {
        q_lo = lower_for(lo.time);
        need_load = true;
      }
      if (q_hi && hi.time > *q_hi) {
        q_hi = upper_for(hi.time);
        need_load = true;
      }
    }
    std::vector<ObsFact> window;
    for (const auto& f : loaded)
      if ((!a || !(f.pos() < a->pos())) && (!b || f.pos() < b->pos())) window.push_back(f);
    note(window, rep);
    if (!b) {  // the window reaches the end: its last VNA is the last one
      for (auto it = window.rbegin(); it != window.rend(); ++it)
        if (it->has_kind(DataKind::VnaSweep)) {
          last_vna_time = it->time;
          break;
        }
    }
    std::vector<db::StoredGroup> stored;
    for (auto& [id, g] : R) stored.push_back(std::move(g));
    repo_.load_members(GroupType::cal_group, stored);
    reconcile_groups(GroupType::cal_group, cal_groups(window), std::move(stored), repo_, false, diff_, rep, changes_);
  }

  void drivefit_incremental(const std::vector<ObsFact>& pending, RuleReport& rep) {
    std::set<std::pair<std::uint8_t, std::int64_t>> keys;
    std::vector<std::int64_t> obsnums;
    for (const auto& f : pending) {
      keys.emplace(f.master, f.obsnum);
      obsnums.push_back(f.obsnum);
    }
    auto facts = repo_.target_sweeps_with_obsnums(obsnums);
    std::erase_if(facts, [&](const ObsFact& f) { return !keys.count({f.master, f.obsnum}); });
    note(facts, rep);
    auto stored = repo_.groups_with_first_obsnums(GroupType::drivefit, obsnums);
    std::erase_if(stored, [&](const db::StoredGroup& g) { return !keys.count({g.first_pos.master, g.first_pos.obsnum}); });
    repo_.load_members(GroupType::drivefit, stored);
    reconcile_groups(GroupType::drivefit, drivefit_groups(facts), std::move(stored), repo_, false, diff_, rep, changes_);
  }

  void run_incremental(GroupType t, const std::vector<ObsFact>& pending, RuleReport& rep) {
    const GoalClass goal = t == GroupType::focus_group ? GoalClass::focus : GoalClass::astig;
    // Per master: the obsnum range the changes touch.
    std::map<std::uint8_t, std::pair<std::int64_t, std::int64_t>> span;
    auto touch = [&](std::uint8_t m, std::int64_t lo, std::int64_t hi) {
      auto [it, inserted] = span.try_emplace(m, lo, hi);
      if (!inserted) {
        it->second.first = std::min(it->second.first, lo);
        it->second.second = std::max(it->second.second, hi);
      }
    };
    for (const auto& f : pending)
      if (f.goal == goal) touch(f.master, f.obsnum, f.obsnum);
    std::unordered_map<std::int64_t, db::StoredGroup> g0;
    for (auto& g : containing(t)) {
      touch(g.first_pos.master, g.first_obsnum, g.last_obsnum);
      g0.emplace(g.id, std::move(g));
    }
    for (const auto& [m, range] : span) {
      // [L, H] with no observation of the goal at L or H (so runs inside are
      // complete) and every stored group overlapping it strictly inside.
      std::int64_t L = range.first - 1, H = range.second + 1, step = 4;
      std::vector<ObsFact> facts;
      std::unordered_map<std::int64_t, db::StoredGroup> R;
      for (auto& [id, g] : g0)
        if (g.first_pos.master == m) R.emplace(id, g);
      for (;;) {
        facts = repo_.goal_obs(goal, m, L, H);
        for (auto& g : repo_.groups_overlapping_obsnums(t, m, L, H)) R.try_emplace(g.id, std::move(g));
        std::int64_t nL = L, nH = H;
        for (const auto& f : facts) {
          if (f.obsnum == L) nL = std::min(nL, L - step);
          if (f.obsnum == H) nH = std::max(nH, H + step);
        }
        for (const auto& [id, g] : R) {
          if (g.first_obsnum <= L) nL = std::min(nL, g.first_obsnum - 1);
          if (g.last_obsnum >= H) nH = std::max(nH, g.last_obsnum + 1);
        }
        if (nL == L && nH == H) break;
        L = nL;
        H = nH;
        step *= 2;
      }
      note(facts, rep);
      std::vector<db::StoredGroup> stored;
      for (auto& [id, g] : R) stored.push_back(std::move(g));
      repo_.load_members(t, stored);
      reconcile_groups(t, run_groups(facts, t), std::move(stored), repo_, false, diff_, rep, changes_);
    }
  }

  void cal_obs_incremental(const std::vector<ObsFact>& pending, RuleReport& rep) {
    struct TripleKey {
      std::int64_t o;
      std::int32_t s, c;
      auto operator<=>(const TripleKey&) const = default;
    };
    std::set<TripleKey> triples;
    std::vector<std::int64_t> obsnums, p_ids;
    for (const auto& f : pending) {
      triples.insert({f.obsnum, f.subobsnum, f.scannum});
      obsnums.push_back(f.obsnum);
      p_ids.push_back(f.id);
    }
    std::sort(p_ids.begin(), p_ids.end());
    // The pending observations' pointers, and the pointers naming a pending
    // observation's triple (whose owners' edges may now resolve differently).
    std::vector<CalPointer> ptrs;
    std::vector<std::int64_t> q_ids;
    for (auto& p : repo_.pointers_of_or_to(p_ids, obsnums)) {
      if (std::binary_search(p_ids.begin(), p_ids.end(), p.src_id))
        ptrs.push_back(p);
      else if (triples.count({p.obsnum, p.subobsnum, p.scannum}))
        q_ids.push_back(p.src_id);
    }
    std::sort(q_ids.begin(), q_ids.end());
    q_ids.erase(std::unique(q_ids.begin(), q_ids.end()), q_ids.end());
    std::vector<ObsFact> facts(pending.begin(), pending.end());
    if (!q_ids.empty()) {
      auto more = repo_.pointers_of(q_ids);
      ptrs.insert(ptrs.end(), more.begin(), more.end());
      auto qf = repo_.facts_by_ids(q_ids);
      facts.insert(facts.end(), qf.begin(), qf.end());
    }
    // Targets: a pointer whose same-master target is already in memory needs
    // no lookup (a quartet is unique and the same master wins); the others
    // are looked up by obsnum.
    std::map<std::int64_t, std::uint8_t> src_master;
    for (const auto& f : facts) src_master.emplace(f.id, f.master);
    std::set<std::tuple<std::int64_t, std::int32_t, std::int32_t, std::uint8_t>> have;
    for (const auto& f : facts) have.emplace(f.obsnum, f.subobsnum, f.scannum, f.master);
    std::vector<std::int64_t> target_obsnums;
    for (const auto& p : ptrs) {
      auto m = src_master.find(p.src_id);
      if (m != src_master.end() && have.count({p.obsnum, p.subobsnum, p.scannum, m->second})) continue;
      target_obsnums.push_back(p.obsnum);
    }
    auto targets = repo_.facts_by_obsnums(target_obsnums);
    facts.insert(facts.end(), targets.begin(), targets.end());
    note(facts, rep);
    std::vector<std::int64_t> srcs = p_ids;
    srcs.insert(srcs.end(), q_ids.begin(), q_ids.end());
    reconcile_cal_edges(cal_edges(ptrs, facts), repo_.cal_edges_from(srcs), diff_, rep);
  }

  db::AssocRepo& repo_;
  db::StoreDiff& diff_;
  std::vector<GroupChange> changes_;
  db::RawObsStats stats_;
  std::optional<std::vector<ObsFact>> all_, all_sorted_;
  bool considered_all_ = false;
  std::unordered_set<std::int64_t> seen_;
  std::vector<std::int64_t> pending_ids_;
  std::optional<std::vector<std::pair<GroupType, db::StoredGroup>>> containing_;
};

struct Plan {
  std::vector<RuleType> types;
  std::map<RuleType, bool> full;  // per type: full regeneration?
  std::string full_reason;
  std::vector<std::string> messages;
  EngineState state;  // loaded (or fresh) state to update
  db::RawObsStats stats;
};

// Decides, per type, whether an incremental run is possible.
Plan make_plan(db::AssocRepo& repo, StateStore& store, const std::vector<RuleType>& types_in, Mode mode,
               bool create_instance) {
  Plan p;
  p.types = types_in.empty() ? all_rule_types() : types_in;
  const std::string instance = repo.instance_id(create_instance).value_or("");
  auto loaded = store.load();
  // One statistics query also counts the observations up to the state's id.
  std::optional<std::int64_t> up_to;
  if (loaded)
    for (const auto& [name, r] : loaded->rules) up_to = std::max(up_to.value_or(0), r.raw_max_id);
  p.stats = repo.raw_obs_stats(up_to);
  const db::RawObsStats& stats = p.stats;
  std::string global_mismatch;
  if (loaded && !loaded->instance_id.empty() && !instance.empty() && loaded->instance_id != instance)
    global_mismatch = fmt::format("the state at {} belongs to another database (instance {}, this database {})",
                                  store.location(), loaded->instance_id, instance);
  if (loaded && global_mismatch.empty()) p.state = *loaded;
  p.state.instance_id = instance;
  std::map<std::int64_t, std::int64_t> count_cache;
  if (up_to) count_cache[*up_to] = *stats.count_up_to;
  for (RuleType t : p.types) {
    std::string reason;
    const std::string name = rule_name(t);
    if (mode == Mode::full) {
      reason = "requested";
    } else if (!global_mismatch.empty()) {
      reason = "state mismatch: " + global_mismatch;
    } else if (!loaded) {
      reason = fmt::format("no state at {}", store.location());
    } else if (!p.state.rules.count(name)) {
      reason = fmt::format("no state for {}", name);
    } else {
      const RuleState& rs = p.state.rules.at(name);
      if (rs.watermark > stats.max_ingest_seq) {
        reason = fmt::format(
            "state mismatch: {} watermark {} is beyond the database's largest ingest sequence {} (another database?)",
            name, rs.watermark, stats.max_ingest_seq);
      } else {
        auto it = count_cache.find(rs.raw_max_id);
        if (it == count_cache.end())
          it = count_cache.emplace(rs.raw_max_id, repo.count_raw_obs_up_to_id(rs.raw_max_id)).first;
        if (it->second != rs.raw_count)
          reason = fmt::format("state mismatch: {} raw observation(s) deleted since the last {} run",
                               rs.raw_count - it->second, name);
      }
    }
    p.full[t] = !reason.empty();
    if (!reason.empty()) {
      if (p.full_reason.empty()) p.full_reason = reason;
      if (mode != Mode::full)
        p.messages.push_back(fmt::format("{}: full regeneration ({})", name, reason));
    }
  }
  return p;
}

void sum_report(GenerateReport& r) {
  for (const auto& rr : r.rules) {
    if (rr.type == rule_name(RuleType::cal_obs)) {
      r.edges_added += rr.edges_added;
      r.edges_removed += rr.edges_removed;
      continue;
    }
    r.groups_created += rr.created;
    r.groups_unchanged += rr.unchanged;
    r.groups_updated += rr.updated;
    r.groups_deleted += rr.deleted;
    r.edges_added += rr.edges_added;
    r.edges_removed += rr.edges_removed;
  }
}

std::string report_details(const GenerateReport& r) {
  return fmt::format(
      R"({{"mode":"{}","pending":{},"considered":{},"groups_created":{},"groups_updated":{},"groups_deleted":{},"edges_added":{},"edges_removed":{},"watermark":{}}})",
      r.mode, r.pending, r.considered, r.groups_created, r.groups_updated, r.groups_deleted, r.edges_added,
      r.edges_removed, r.watermark_after);
}

// Runs the rules of the plan for the pending facts; fills the diff and reports.
void run_rules(Pass& pass, Plan& plan, const std::vector<ObsFact>& pending, std::int64_t new_watermark,
               const db::RawObsStats& stats, std::vector<RuleReport>& reports) {
  for (RuleType t : plan.types) {
    RuleReport rep;
    rep.type = rule_name(t);
    RuleState& rs = plan.state.rules[rule_name(t)];
    if (plan.full[t]) {
      pass.full(t, rep, rs.last_vna_time);
      rep.pending = static_cast<std::int64_t>(
          std::count_if(pending.begin(), pending.end(), [&](const ObsFact& f) { return f.ingest_seq > rs.watermark; }));
    } else {
      std::vector<ObsFact> mine;
      for (const auto& f : pending)
        if (f.ingest_seq > rs.watermark) mine.push_back(f);
      const std::int64_t stored = pass.stored_count(t);
      pass.incremental(t, mine, rep, rs.last_vna_time);
      // Everything stored that the run did not touch is unchanged too (a no-op run: all of it).
      rep.unchanged = std::max(rep.unchanged, stored - rep.updated - rep.deleted);
    }
    rs.watermark = std::max(rs.watermark, new_watermark);
    rs.raw_count = stats.total;
    rs.raw_max_id = stats.max_id;
    reports.push_back(std::move(rep));
  }
}

}  // namespace

// ---- generate -------------------------------------------------------------------

GenerateReport generate(db::Session& session, const GenerateOptions& opt) {
  const auto t0 = Clock::now();
  if (session.read_only() && !opt.dry_run)
    throw UserError("assoc generate writes the database; it cannot run on a read-only session (use --dry-run)");
  db::AssocRepo repo(session);
  StateStore store(repo, opt.state);
  GenerateReport rep;
  rep.dry_run = opt.dry_run;
  Plan plan = make_plan(repo, store, opt.types, opt.mode, !opt.dry_run);
  const db::RawObsStats stats = plan.stats;
  rep.raw_obs_total = stats.total;

  std::int64_t min_wm = std::numeric_limits<std::int64_t>::max();
  bool any_incremental = false;
  for (RuleType t : plan.types) {
    const auto& rs = plan.state.rules[rule_name(t)];
    min_wm = std::min(min_wm, plan.full[t] ? 0 : rs.watermark);
    any_incremental = any_incremental || !plan.full[t];
  }
  if (min_wm == std::numeric_limits<std::int64_t>::max()) min_wm = 0;
  rep.watermark_before = min_wm;
  std::vector<ObsFact> pending;
  if (any_incremental) {
    // Beyond this many pending observations a full run is faster.
    const std::int64_t limit = std::max<std::int64_t>(
        opt.auto_full_min_pending,
        static_cast<std::int64_t>(opt.auto_full_fraction * static_cast<double>(stats.total)));
    pending = repo.pending_facts(min_wm, limit + 1);
    if (static_cast<std::int64_t>(pending.size()) > limit) {
      plan.messages.push_back(fmt::format("more than {} of {} observations pending: a full regeneration is faster",
                                          limit, stats.total));
      if (plan.full_reason.empty()) plan.full_reason = "too many pending observations";
      for (RuleType t : plan.types) plan.full[t] = true;
      pending.clear();
    }
  }
  bool all_full = true;
  for (RuleType t : plan.types) all_full = all_full && plan.full[t];
  rep.mode = all_full ? "full" : "incremental";
  rep.full_reason = plan.full_reason;
  rep.pending = all_full ? (min_wm == 0 ? stats.total : repo.count_pending(min_wm))
                         : static_cast<std::int64_t>(pending.size());
  rep.messages = plan.messages;

  db::StoreDiff diff;
  Pass pass(repo, diff, pending, stats);
  {
    // Reads and writes in one transaction: a consistent snapshot, one commit.
    std::optional<db::Transaction> tx;
    if (!opt.dry_run) tx.emplace(session.con());
    run_rules(pass, plan, pending, stats.max_ingest_seq, stats, rep.rules);
    rep.considered = pass.considered();
    rep.changes = std::move(pass.changes());
    rep.watermark_after = stats.max_ingest_seq;
    sum_report(rep);
    plan.state.updated_at = now_iso();
    if (!opt.dry_run) {
      repo.apply(diff);
      if (store.in_database()) store.save(plan.state);
      repo.log_event(fmt::format("assoc generate ({}): {} created, {} updated, {} deleted groups; {} edges added, {} "
                                 "removed",
                                 rep.mode, rep.groups_created, rep.groups_updated, rep.groups_deleted, rep.edges_added,
                                 rep.edges_removed),
                     report_details(rep));
      tx->commit();
    }
  }
  if (!opt.dry_run && !store.in_database()) store.save(plan.state);
  rep.elapsed_s = seconds_since(t0);
  return rep;
}

// ---- stream ---------------------------------------------------------------------------

StreamReport stream(db::Session& session, const StreamOptions& opt,
                    const std::function<void(const BatchReport&)>& on_batch) {
  const auto t0 = Clock::now();
  if (opt.batch_size <= 0) throw UserError("--batch-size must be positive");
  if (opt.commit_every <= 0) throw UserError("--commit-every must be positive");
  if (session.read_only() && !opt.dry_run) throw UserError("assoc stream writes the database; use --dry-run");
  StreamReport out;
  db::AssocRepo repo(session);
  StateStore store(repo, opt.state);
  Plan plan = make_plan(repo, store, opt.types, Mode::incremental, !opt.dry_run);
  const db::RawObsStats stats = plan.stats;
  bool need_full = false;
  for (RuleType t : plan.types) need_full = need_full || plan.full[t];
  if (need_full) {
    // The state does not allow continuing: one full generation first.
    GenerateOptions g;
    g.mode = Mode::incremental;
    g.state = opt.state;
    g.types = opt.types;
    g.dry_run = opt.dry_run;
    auto r = generate(session, g);
    out.full_reason = r.full_reason;
    BatchReport b;
    b.index = 0;
    b.observations = r.pending;
    b.considered = r.considered;
    b.groups_created = r.groups_created;
    b.groups_updated = r.groups_updated;
    b.groups_deleted = r.groups_deleted;
    b.edges_added = r.edges_added;
    b.edges_removed = r.edges_removed;
    b.watermark = r.watermark_after;
    b.committed = !opt.dry_run;
    b.elapsed_s = r.elapsed_s;
    out.batches.push_back(b);
    if (on_batch) on_batch(b);
    out.remaining = opt.dry_run ? 0 : repo.count_pending(r.watermark_after);
    out.elapsed_s = seconds_since(t0);
    return out;
  }

  std::optional<db::Transaction> tx;
  std::int64_t in_tx = 0;
  auto commit = [&] {
    if (!tx) return;
    if (store.in_database()) store.save(plan.state);
    tx->commit();
    tx.reset();
    if (!store.in_database()) store.save(plan.state);
    in_tx = 0;
  };
  for (std::int64_t index = 1; opt.max_batches <= 0 || index <= opt.max_batches; ++index) {
    const auto tb = Clock::now();
    std::int64_t min_wm = std::numeric_limits<std::int64_t>::max();
    for (RuleType t : plan.types) min_wm = std::min(min_wm, plan.state.rules[rule_name(t)].watermark);
    auto batch = repo.pending_facts(min_wm, opt.batch_size);
    if (batch.empty()) break;
    if (!opt.dry_run && !tx) tx.emplace(session.con());
    std::int64_t batch_wm = 0;
    for (const auto& f : batch) batch_wm = std::max(batch_wm, f.ingest_seq);
    db::StoreDiff diff;
    Pass pass(repo, diff, batch, stats);
    std::vector<RuleReport> reports;
    run_rules(pass, plan, batch, batch_wm, stats, reports);
    GenerateReport g;
    g.rules = reports;
    sum_report(g);
    BatchReport b;
    b.index = index;
    b.observations = static_cast<std::int64_t>(batch.size());
    b.considered = pass.considered();
    b.groups_created = g.groups_created;
    b.groups_updated = g.groups_updated;
    b.groups_deleted = g.groups_deleted;
    b.edges_added = g.edges_added;
    b.edges_removed = g.edges_removed;
    b.watermark = batch_wm;
    plan.state.updated_at = now_iso();
    if (!opt.dry_run) {
      repo.apply(diff);
      if (++in_tx >= opt.commit_every) {
        commit();
        b.committed = true;
      }
    }
    b.elapsed_s = seconds_since(tb);
    out.batches.push_back(b);
    if (on_batch) on_batch(b);
    if (opt.dry_run) break;  // without writing, the next batch would see the same observations
    if (static_cast<std::int64_t>(batch.size()) < opt.batch_size) break;
  }
  if (!opt.dry_run) {
    if (tx) {
      commit();
      if (!out.batches.empty()) out.batches.back().committed = true;
    }
    repo.log_event(fmt::format("assoc stream: {} batch(es)", out.batches.size()), "{}");
  }
  std::int64_t min_wm = std::numeric_limits<std::int64_t>::max();
  for (RuleType t : plan.types) min_wm = std::min(min_wm, plan.state.rules[rule_name(t)].watermark);
  out.remaining = repo.count_pending(min_wm);
  out.elapsed_s = seconds_since(t0);
  return out;
}

// ---- state ------------------------------------------------------------------------------

StateInfo state_info(db::Session& session, const StateOptions& options) {
  db::AssocRepo repo(session);
  StateStore store(repo, options);
  StateInfo info;
  info.backend = options.backend == StateBackend::database ? "database" : "filesystem";
  info.location = store.location();
  const auto stats = repo.raw_obs_stats();
  info.raw_obs_total = stats.total;
  info.max_ingest_seq = stats.max_ingest_seq;
  auto loaded = store.load();
  info.exists = loaded.has_value();
  info.state_bytes = store.size_bytes();
  if (loaded) info.updated_at = loaded->updated_at;
  const std::string instance = repo.instance_id(false).value_or("");
  if (!loaded)
    info.mismatch = "no state: the next incremental run is a full one";
  else if (!loaded->instance_id.empty() && !instance.empty() && loaded->instance_id != instance)
    info.mismatch = fmt::format("the state belongs to another database (instance {}, this database {})",
                                loaded->instance_id, instance);
  for (RuleType t : all_rule_types()) {
    StateInfo::Rule r;
    r.type = rule_name(t);
    if (loaded && loaded->rules.count(r.type)) {
      const RuleState& rs = loaded->rules.at(r.type);
      r.watermark = rs.watermark;
      if (info.mismatch.empty()) {
        if (rs.watermark > stats.max_ingest_seq)
          info.mismatch = fmt::format("{} watermark {} is beyond the largest ingest sequence {}", r.type, rs.watermark,
                                      stats.max_ingest_seq);
        else if (repo.count_raw_obs_up_to_id(rs.raw_max_id) != rs.raw_count)
          info.mismatch = fmt::format("raw observations were deleted since the last {} run", r.type);
      }
    }
    r.pending = repo.count_pending(r.watermark.value_or(0));
    r.groups = t == RuleType::cal_obs ? repo.count_cal_edges() : repo.count_groups(group_type(t));
    info.rules.push_back(r);
  }
  return info;
}

void reset_state(db::Session& session, const StateOptions& options) {
  if (session.read_only()) throw UserError("assoc reset-state writes the database; it cannot run read-only");
  db::AssocRepo repo(session);
  StateStore store(repo, options);
  store.clear();
}

}  // namespace tolteca::assoc
