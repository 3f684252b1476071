// What a registry must find in a planned archive (see planner.h): raw observations, cal edges and the
// groups of the spec's association rules, computed independently of src/assoc.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "sim/planner.h"

namespace tolteca::sim {

using detail::seq_less;
using detail::Triple;

bool detail::seq_less(const SimRawObs& a, const SimRawObs& b) {
  if (a.start_time != b.start_time) return a.start_time < b.start_time;
  return a.quartet < b.quartet;
}

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

// raw_obs and cal edges from the good files.
void detail::compute_expectations(SimPlan& plan) {
  const bool headers = !plan.options.names_only;
  std::map<Quartet, SimRawObs> obs;
  std::map<Quartet, std::vector<std::pair<int, Triple>>> pointers;  // network -> target triple
  std::map<Quartet, int> reduced;
  for (const auto& f : plan.files) {
    if (f.bad || !f.quartet) continue;
    if (f.type == SimFileType::reduced) {
      ++reduced[*f.quartet];
      continue;
    }
    SimRawObs& r = obs[*f.quartet];
    r.quartet = *f.quartet;
    r.data_kind |= f.kind;
    r.n_files += 1;
    r.interfaces.push_back(f.name->interface);
    if (f.type == SimFileType::network || f.type == SimFileType::hwpr) {
      UnixMicros t = *f.name->file_time;
      if (r.start_time == 0 || t < r.start_time) r.start_time = t;
    }
    if (f.type == SimFileType::network) {
      r.networks.push_back(*f.name->roach);
      if (headers && f.net.cal_obsnum != 0)
        pointers[r.quartet].push_back({*f.name->roach, Triple{f.net.cal_obsnum, f.net.cal_subobsnum, f.net.cal_scannum}});
    }
    if (headers && f.type == SimFileType::tel) r.obs_goal = lower(f.tel.obs_goal);
  }
  // Telescope metadata describes the observation number as a whole (domain.md):
  // raw observations of an obsnum without a telescope file of their own (the
  // scan-1 tune) carry their obsnum's goal, as ingest records it.
  std::map<std::pair<Master, std::int64_t>, std::string> goal_of_obsnum;
  for (const auto& [q, r] : obs)
    if (r.obs_goal) goal_of_obsnum.emplace(std::pair{q.master, q.obsnum}, *r.obs_goal);
  for (auto& [q, r] : obs)
    if (!r.obs_goal)
      if (auto it = goal_of_obsnum.find({q.master, q.obsnum}); it != goal_of_obsnum.end()) r.obs_goal = it->second;
  // Resolve cal pointers: the same master when that observation exists, else another master's.
  auto resolve = [&](Master m, const Triple& t) -> std::optional<Quartet> {
    Quartet same{m, t.obsnum, t.sub, t.scan};
    if (obs.count(same)) return same;
    for (Master other : {Master::tcs, Master::ics, Master::clip}) {
      Quartet q{other, t.obsnum, t.sub, t.scan};
      if (obs.count(q)) return q;
    }
    return std::nullopt;
  };
  for (auto& [q, ptrs] : pointers) {
    std::map<Quartet, std::vector<int>> targets;
    std::vector<Quartet> order;
    for (const auto& [net, t] : ptrs) {
      auto dst = resolve(q.master, t);
      if (!dst) continue;
      if (!targets.count(*dst)) order.push_back(*dst);
      targets[*dst].push_back(net);
    }
    const Quartet* best = nullptr;
    for (const auto& d : order) {
      if (!best || targets[d].size() > targets[*best].size()) best = &d;
      SimCalEdge e{to_string(q), to_string(d), targets[d]};
      std::sort(e.networks.begin(), e.networks.end());
      plan.cal_edges.push_back(std::move(e));
    }
    if (best) obs[q].cal = to_string(*best);
  }
  for (auto& [q, r] : obs) {
    std::sort(r.networks.begin(), r.networks.end());
    std::sort(r.interfaces.begin(), r.interfaces.end());
    plan.raw_obs.push_back(std::move(r));
  }
  std::sort(plan.raw_obs.begin(), plan.raw_obs.end(), seq_less);
  plan.groups = expected_groups(plan.raw_obs);
  for (const auto& [q, n] : reduced) plan.reduced_obs.push_back({"reduced:" + to_string(q), to_string(q), n});
}

namespace {

using Seq = std::vector<const SimRawObs*>;

// cal_group: a VNA opens, target sweeps and tunes join; other observations neither join nor break.
void cal_groups(const Seq& seq, std::vector<SimGroup>& out) {
  std::vector<const SimRawObs*> cur;
  auto close = [&] {
    if (cur.size() >= 2) {
      SimGroup g{"cal_group",
                 fmt::format("{}-{}-g{}-cal", to_string(cur[0]->quartet.master), cur[0]->quartet.obsnum, cur.size()),
                 {}};
      for (auto* r : cur) g.members.push_back(to_string(r->quartet));
      out.push_back(std::move(g));
    }
    cur.clear();
  };
  for (auto* r : seq) {
    if (!(r->data_kind & kRawSweepBits)) continue;
    if (has(r->data_kind, DataKind::VnaSweep)) {
      close();
      cur.push_back(r);
    } else if (!cur.empty()) {
      cur.push_back(r);
    }
  }
  close();
}

// drivefit: target sweeps grouped by (master, obsnum).
void drivefit_groups(const Seq& seq, std::vector<SimGroup>& out) {
  std::map<std::pair<Master, std::int64_t>, std::vector<const SimRawObs*>> by;
  std::vector<std::pair<Master, std::int64_t>> order;
  for (auto* r : seq) {
    if (!has(r->data_kind, DataKind::TargetSweep)) continue;
    auto key = std::make_pair(r->quartet.master, r->quartet.obsnum);
    if (!by.count(key)) order.push_back(key);
    by[key].push_back(r);
  }
  for (const auto& key : order) {
    const auto& v = by[key];
    if (v.size() < 2) continue;
    SimGroup g{"drivefit", fmt::format("{}-{}-g{}-drivefit", to_string(key.first), key.second, v.size()), {}};
    for (auto* r : v) g.members.push_back(to_string(r->quartet));
    out.push_back(std::move(g));
  }
}

// focus_group / astig_group: runs of consecutive obsnums per master.
template <class GoalMatches>
void run_groups(const Seq& seq, const char* type, const char* suffix, GoalMatches goal_matches,
                std::vector<SimGroup>& out) {
  std::vector<const SimRawObs*> sel;
  for (auto* r : seq)
    if (r->obs_goal && goal_matches(*r->obs_goal)) sel.push_back(r);
  std::stable_sort(sel.begin(), sel.end(),
                   [](const SimRawObs* a, const SimRawObs* b) { return a->quartet < b->quartet; });
  std::vector<const SimRawObs*> cur;
  auto close = [&] {
    if (cur.size() >= 2) {
      auto first = cur.front()->quartet.obsnum, last = cur.back()->quartet.obsnum;
      std::string m(to_string(cur.front()->quartet.master));
      std::string name = first == last ? fmt::format("{}-{}-g{}-{}", m, first, cur.size(), suffix)
                                       : fmt::format("{}-{}to{}-g{}-{}", m, first, last, cur.size(), suffix);
      SimGroup g{type, name, {}};
      for (auto* r : cur) g.members.push_back(to_string(r->quartet));
      out.push_back(std::move(g));
    }
    cur.clear();
  };
  for (auto* r : sel) {
    if (!cur.empty() && (cur.back()->quartet.master != r->quartet.master ||
                         (r->quartet.obsnum != cur.back()->quartet.obsnum &&
                          r->quartet.obsnum != cur.back()->quartet.obsnum + 1)))
      close();
    cur.push_back(r);
  }
  close();
}

}  // namespace

std::vector<SimGroup> expected_groups(const std::vector<SimRawObs>& raw_obs_in) {
  Seq seq;
  for (const auto& r : raw_obs_in) seq.push_back(&r);
  std::stable_sort(seq.begin(), seq.end(), [](const SimRawObs* a, const SimRawObs* b) { return seq_less(*a, *b); });
  std::vector<SimGroup> out;
  cal_groups(seq, out);
  drivefit_groups(seq, out);
  run_groups(seq, "focus_group", "focus", [](const std::string& g) { return g == "focus"; }, out);
  run_groups(seq, "astig_group", "astig", [](const std::string& g) { return g == "astig" || g == "astigmatism"; }, out);
  return out;
}

}  // namespace tolteca::sim
