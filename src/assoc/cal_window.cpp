// Pass::cal_incremental: the cal_group window the pending observations can
// affect. The window is [a, b): a = the last VNA at or before the earliest
// change (the start when none), b = the first VNA after the latest change
// (the end when none), widened until every stored group overlapping it lies
// inside it. Sweeps are loaded by start-time range and searched in memory.
#include <algorithm>
#include <limits>
#include <unordered_map>

#include "assoc/pass.h"
#include "assoc/reconcile.h"
#include "assoc/rules.h"

namespace tolteca::assoc {

namespace {

constexpr std::int64_t kDay = 86'400'000'000LL;

using StoredById = std::unordered_map<std::int64_t, storage::StoredGroup>;

// The start-time range [lower_for(lo), upper_for(hi)] the sweeps are loaded
// by, padded; nullopt = open. Ranges reaching past the data's first/last
// start time are open; so are pads beyond 64 days.
struct QueryRange {
  const storage::RawObsStats& stats;
  const std::optional<std::int64_t>& last_vna_time;
  std::int64_t pad_lo = kDay, pad_hi = kDay;

  std::optional<std::int64_t> lower_for(std::int64_t t) const {
    if (t == kNoTime || pad_lo > 64 * kDay) return std::nullopt;
    std::int64_t q = t - pad_lo;
    if (last_vna_time && *last_vna_time <= t && t - *last_vna_time < 30 * kDay) q = std::min(q, *last_vna_time);
    if (!stats.min_time || q <= *stats.min_time) return std::nullopt;
    return q;
  }
  std::optional<std::int64_t> upper_for(std::int64_t t) const {
    if (t == kNoTime || pad_hi > 64 * kDay) return std::nullopt;
    if (!stats.max_time || t + pad_hi >= *stats.max_time) return std::nullopt;
    return t + pad_hi;
  }
};

struct WindowSearch {
  std::vector<ObsFact> loaded;  // the sweeps of the last query range, in sequence order
  std::optional<SeqPos> a, b;   // the VNAs bounding the window [a, b) (absent: open)
};

// Widens [lo, hi] to the stored groups in R that reach past a (or b).
// Returns whether it changed.
bool widen_to_groups(const StoredById& R, const ObsFact* a, const ObsFact* b, SeqPos& lo, SeqPos& hi) {
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
  return changed;
}

// Finds the window around [lo, hi]; R gains the stored groups overlapping it.
WindowSearch search_window(storage::AssocStore& repo, QueryRange& range, SeqPos lo, SeqPos hi, StoredById& R) {
  std::optional<std::int64_t> q_lo = range.lower_for(lo.time), q_hi = range.upper_for(hi.time);
  std::vector<ObsFact> loaded;
  bool need_load = true;
  const ObsFact* a = nullptr;
  const ObsFact* b = nullptr;
  std::optional<std::optional<std::int64_t>> queried_lo, queried_hi;
  for (int guard = 0; guard < 1000; ++guard) {
    if (need_load) {
      loaded = repo.sweeps_between(q_lo, q_hi);
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
      range.pad_lo *= 4;
      q_lo = range.lower_for(lo.time);
      need_load = true;
      continue;
    }
    if (!b && q_hi) {
      range.pad_hi *= 4;
      q_hi = range.upper_for(hi.time);
      need_load = true;
      continue;
    }
    const std::optional<std::int64_t> t_lo = (a && a->time != kNoTime) ? std::optional(a->time) : std::nullopt;
    const std::optional<std::int64_t> t_hi = b ? std::optional(b->time) : std::nullopt;
    if (!queried_lo || *queried_lo != t_lo || !queried_hi || *queried_hi != t_hi) {
      for (auto& g : repo.groups_overlapping_time(AssocType::cal_group, t_lo, t_hi)) R.try_emplace(g.id, std::move(g));
      queried_lo = t_lo;
      queried_hi = t_hi;
    }
    if (!widen_to_groups(R, a, b, lo, hi)) break;
    if (q_lo && (lo.time == kNoTime || lo.time < *q_lo)) {
      q_lo = range.lower_for(lo.time);
      need_load = true;
    }
    if (q_hi && hi.time > *q_hi) {
      q_hi = range.upper_for(hi.time);
      need_load = true;
    }
  }
  WindowSearch out;
  if (a) out.a = a->pos();
  if (b) out.b = b->pos();
  out.loaded = std::move(loaded);
  return out;
}

}  // namespace

void Pass::cal_incremental(const std::vector<ObsFact>& pending, RuleReport& rep,
                           std::optional<std::int64_t>& last_vna_time) {
  SeqPos lo = SeqPos::highest(std::numeric_limits<std::int64_t>::max());
  SeqPos hi = SeqPos::lowest(kNoTime);
  bool any = false;
  for (const auto& f : pending) {
    if (!f.is_sweep()) continue;
    lo = std::min(lo, f.pos());
    hi = std::max(hi, f.pos());
    any = true;
  }
  StoredById R;
  for (auto& g : containing(AssocType::cal_group)) {
    lo = std::min(lo, g.first_pos);
    hi = std::max(hi, SeqPos::highest(g.latest_time));
    any = true;
    R.emplace(g.id, std::move(g));
  }
  if (!any) return;
  QueryRange range{stats_, last_vna_time};
  const WindowSearch w = search_window(repo_, range, lo, hi, R);
  std::vector<ObsFact> window;
  for (const auto& f : w.loaded)
    if ((!w.a || !(f.pos() < *w.a)) && (!w.b || f.pos() < *w.b)) window.push_back(f);
  note(window, rep);
  if (!w.b) note_last_vna(window, last_vna_time);  // the window reaches the end: its last VNA is the last one
  std::vector<storage::StoredGroup> stored;
  for (auto& [id, g] : R) stored.push_back(std::move(g));
  repo_.load_members(AssocType::cal_group, stored);
  reconcile_groups(AssocType::cal_group, cal_groups(window), std::move(stored), repo_, false, diff_, rep, changes_);
}

}  // namespace tolteca::assoc
