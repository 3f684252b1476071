#include "assoc/pass.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "assoc/reconcile.h"
#include "assoc/rules.h"

namespace tolteca::assoc {

void note_last_vna(const std::vector<ObsFact>& seq, std::optional<std::int64_t>& last_vna_time) {
  for (auto it = seq.rbegin(); it != seq.rend(); ++it)
    if (it->has_kind(DataKind::VnaSweep)) {
      last_vna_time = it->time;
      return;
    }
}

Pass::Pass(storage::AssocStore& repo, storage::StoreDiff& diff, const std::vector<ObsFact>& pending,
           const storage::RawObsStats& stats)
    : repo_(repo), diff_(diff), stats_(stats) {
  for (const auto& f : pending) pending_ids_.push_back(f.id);
}

const std::vector<ObsFact>& Pass::all_facts() {
  if (!all_) {
    all_ = repo_.all_facts();
    considered_all_ = true;
  }
  return *all_;
}

const std::vector<ObsFact>& Pass::all_in_seq_order() {
  if (!all_sorted_) {
    all_sorted_ = all_facts();
    std::sort(all_sorted_->begin(), all_sorted_->end(), seq_less);
  }
  return *all_sorted_;
}

std::int64_t Pass::stored_count(AssocType t) {
  return t == AssocType::cal_obs ? repo_.count_cal_edges() : repo_.count_groups(t);
}

std::int64_t Pass::considered() const {
  return considered_all_ ? static_cast<std::int64_t>(all_->size()) : static_cast<std::int64_t>(seen_.size());
}

void Pass::full(AssocType t, RuleReport& rep, std::optional<std::int64_t>& last_vna_time) {
  if (t == AssocType::cal_obs) {
    auto ptrs = repo_.all_pointers();
    auto edges = cal_edges(ptrs, all_facts());
    reconcile_cal_edges(edges, repo_.cal_edges_all(), diff_, rep);
  } else {
    std::vector<Group> groups =
        t == AssocType::cal_group ? cal_groups(all_in_seq_order()) : compute_groups(t, all_facts());
    if (t == AssocType::cal_group) note_last_vna(all_in_seq_order(), last_vna_time);
    reconcile_groups(t, std::move(groups), repo_.groups_all(t), repo_, true, diff_, rep, changes_);
  }
  rep.considered = static_cast<std::int64_t>(all_facts().size());
}

void Pass::incremental(AssocType t, const std::vector<ObsFact>& pending, RuleReport& rep,
                       std::optional<std::int64_t>& last_vna_time) {
  rep.pending = static_cast<std::int64_t>(pending.size());
  if (pending.empty()) return;
  for (const auto& f : pending) seen_.insert(f.id);
  switch (t) {
    case AssocType::cal_group: cal_incremental(pending, rep, last_vna_time); break;
    case AssocType::drivefit: drivefit_incremental(pending, rep); break;
    case AssocType::focus_group:
    case AssocType::astig_group: run_incremental(t, pending, rep); break;
    case AssocType::cal_obs: cal_obs_incremental(pending, rep); break;
  }
}

void Pass::note(const std::vector<ObsFact>& v, RuleReport& rep) {
  rep.considered += static_cast<std::int64_t>(v.size());
  for (const auto& f : v) seen_.insert(f.id);
}

std::vector<storage::StoredGroup> Pass::containing(AssocType t) {
  if (!containing_) containing_ = repo_.groups_containing(pending_ids_);
  std::vector<storage::StoredGroup> out;
  for (const auto& [type, g] : *containing_)
    if (type == t) out.push_back(g);
  return out;
}

void Pass::drivefit_incremental(const std::vector<ObsFact>& pending, RuleReport& rep) {
  std::set<std::pair<std::uint8_t, std::int64_t>> keys;
  std::vector<std::int64_t> obsnums;
  for (const auto& f : pending) {
    keys.emplace(f.master, f.obsnum);
    obsnums.push_back(f.obsnum);
  }
  auto facts = repo_.target_sweeps_with_obsnums(obsnums);
  std::erase_if(facts, [&](const ObsFact& f) { return !keys.count({f.master, f.obsnum}); });
  note(facts, rep);
  auto stored = repo_.groups_with_first_obsnums(AssocType::drivefit, obsnums);
  std::erase_if(stored, [&](const storage::StoredGroup& g) { return !keys.count({g.first_pos.master, g.first_pos.obsnum}); });
  repo_.load_members(AssocType::drivefit, stored);
  reconcile_groups(AssocType::drivefit, drivefit_groups(facts), std::move(stored), repo_, false, diff_, rep, changes_);
}

void Pass::run_incremental(AssocType t, const std::vector<ObsFact>& pending, RuleReport& rep) {
  const GoalClass goal = t == AssocType::focus_group ? GoalClass::focus : GoalClass::astig;
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
  std::unordered_map<std::int64_t, storage::StoredGroup> g0;
  for (auto& g : containing(t)) {
    touch(g.first_pos.master, g.first_obsnum, g.last_obsnum);
    g0.emplace(g.id, std::move(g));
  }
  for (const auto& [m, range] : span) {
    // [L, H] with no observation of the goal at L or H (so runs inside are
    // complete) and every stored group overlapping it strictly inside.
    std::int64_t L = range.first - 1, H = range.second + 1, step = 4;
    std::vector<ObsFact> facts;
    std::unordered_map<std::int64_t, storage::StoredGroup> R;
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
    std::vector<storage::StoredGroup> stored;
    for (auto& [id, g] : R) stored.push_back(std::move(g));
    repo_.load_members(t, stored);
    reconcile_groups(t, run_groups(facts, t), std::move(stored), repo_, false, diff_, rep, changes_);
  }
}

void Pass::cal_obs_incremental(const std::vector<ObsFact>& pending, RuleReport& rep) {
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

}  // namespace tolteca::assoc
