#include "assoc/rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace tolteca::assoc {

namespace {

// Builds a group from member facts already in the group's order.
Group make_group(AssocType type, const std::vector<const ObsFact*>& members) {
  Group g;
  g.type = type;
  g.members.reserve(members.size());
  for (const ObsFact* f : members) {
    g.members.push_back(f->id);
    g.latest_time = std::max(g.latest_time, f->time);
  }
  g.first = members.front()->quartet();
  g.first_time = members.front()->time;
  g.first_obsnum = members.front()->obsnum;
  g.last_obsnum = members.back()->obsnum;
  return g;
}

}  // namespace

std::vector<Group> cal_groups(std::span<const ObsFact> facts) {
  std::vector<Group> out;
  std::vector<const ObsFact*> open;
  bool is_open = false;
  auto close = [&] {
    if (is_open && open.size() >= 2) out.push_back(make_group(AssocType::cal_group, open));
    open.clear();
  };
  for (const ObsFact& f : facts) {
    if (!f.is_sweep()) continue;  // neither joins nor breaks a group
    if (f.has_kind(DataKind::VnaSweep)) {
      close();
      is_open = true;
      open.push_back(&f);
    } else if (is_open) {
      open.push_back(&f);  // TargetSweep or Tune
    }
  }
  close();
  return out;
}

std::vector<Group> drivefit_groups(std::span<const ObsFact> facts) {
  std::vector<const ObsFact*> ts;
  for (const ObsFact& f : facts)
    if (f.has_kind(DataKind::TargetSweep)) ts.push_back(&f);
  std::sort(ts.begin(), ts.end(), [](const ObsFact* a, const ObsFact* b) {
    return std::tie(a->master, a->obsnum, a->subobsnum, a->scannum) <
           std::tie(b->master, b->obsnum, b->subobsnum, b->scannum);
  });
  std::vector<Group> out;
  std::vector<const ObsFact*> cur;
  for (std::size_t i = 0; i < ts.size(); ++i) {
    cur.push_back(ts[i]);
    const bool last = i + 1 == ts.size() || ts[i + 1]->master != ts[i]->master || ts[i + 1]->obsnum != ts[i]->obsnum;
    if (last) {
      if (cur.size() >= 2) out.push_back(make_group(AssocType::drivefit, cur));
      cur.clear();
    }
  }
  return out;
}

std::vector<Group> run_groups(std::span<const ObsFact> facts, AssocType type) {
  const GoalClass goal = type == AssocType::focus_group ? GoalClass::focus : GoalClass::astig;
  std::vector<const ObsFact*> sel;
  for (const ObsFact& f : facts)
    if (f.goal == goal) sel.push_back(&f);
  std::sort(sel.begin(), sel.end(), [](const ObsFact* a, const ObsFact* b) {
    return std::tie(a->master, a->obsnum, a->subobsnum, a->scannum) <
           std::tie(b->master, b->obsnum, b->subobsnum, b->scannum);
  });
  std::vector<Group> out;
  std::vector<const ObsFact*> cur;
  for (std::size_t i = 0; i < sel.size(); ++i) {
    cur.push_back(sel[i]);
    const bool last = i + 1 == sel.size() || sel[i + 1]->master != sel[i]->master ||
                      sel[i + 1]->obsnum > sel[i]->obsnum + 1;
    if (last) {
      if (cur.size() >= 2) out.push_back(make_group(type, cur));
      cur.clear();
    }
  }
  return out;
}

std::vector<Group> compute_groups(AssocType type, std::span<const ObsFact> facts) {
  switch (type) {
    case AssocType::cal_group: return cal_groups(facts);
    case AssocType::drivefit: return drivefit_groups(facts);
    case AssocType::focus_group:
    case AssocType::astig_group: return run_groups(facts, type);
    case AssocType::cal_obs: break;  // edges, not groups: see cal_edges
  }
  return {};
}

namespace {

struct Triple {
  std::int64_t obsnum;
  std::int32_t sub, scan;
  bool operator==(const Triple&) const = default;
};
struct TripleHash {
  std::size_t operator()(const Triple& t) const noexcept {
    std::uint64_t h = static_cast<std::uint64_t>(t.obsnum) * 0x9E3779B97F4A7C15ULL;
    h ^= (static_cast<std::uint64_t>(static_cast<std::uint32_t>(t.sub)) << 32 |
          static_cast<std::uint32_t>(t.scan)) * 0xC2B2AE3D27D4EB4FULL;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
};

}  // namespace

std::vector<CalEdge> cal_edges(std::span<const CalPointer> pointers, std::span<const ObsFact> facts) {
  std::vector<CalEdge> out;
  if (pointers.empty()) return out;
  // Targets per referenced triple: the id per master code (0..2; -1 none).
  struct Targets {
    std::int64_t by_master[4] = {-1, -1, -1, -1};
  };
  std::unordered_map<Triple, Targets, TripleHash> targets;
  std::unordered_map<std::int64_t, std::uint8_t> src_master;
  targets.reserve(pointers.size());
  src_master.reserve(pointers.size());
  for (const CalPointer& p : pointers) {
    targets.try_emplace(Triple{p.obsnum, p.subobsnum, p.scannum});
    src_master.emplace(p.src_id, 255);
  }
  for (const ObsFact& f : facts) {
    auto it = targets.find(Triple{f.obsnum, f.subobsnum, f.scannum});
    if (it != targets.end()) it->second.by_master[std::min<int>(f.master, 3)] = f.id;
    auto s = src_master.find(f.id);
    if (s != src_master.end()) s->second = f.master;
  }
  out.reserve(pointers.size());
  for (const CalPointer& p : pointers) {
    auto sm = src_master.find(p.src_id);
    if (sm == src_master.end() || sm->second == 255) continue;  // source is not a known raw observation
    const Targets& t = targets.at(Triple{p.obsnum, p.subobsnum, p.scannum});
    std::int64_t dst = -1;
    if (sm->second < 4) dst = t.by_master[sm->second];
    for (int m = 0; m < 4 && dst < 0; ++m) dst = t.by_master[m];
    if (dst < 0) continue;
    out.push_back(CalEdge{p.src_id, dst, p.roach_mask});
  }
  std::sort(out.begin(), out.end());
  // Pointers naming the same target (e.g. the same triple given twice) merge.
  std::size_t w = 0;
  for (std::size_t r = 0; r < out.size(); ++r) {
    if (w > 0 && out[w - 1].src == out[r].src && out[w - 1].dst == out[r].dst)
      out[w - 1].roach_mask |= out[r].roach_mask;
    else
      out[w++] = out[r];
  }
  out.resize(w);
  return out;
}

}  // namespace tolteca::assoc
