#include "assoc/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace tolteca::assoc {

bool Plan::any_full() const {
  return std::any_of(types.begin(), types.end(), [&](AssocType t) { return full.at(t); });
}

bool Plan::all_full() const {
  return std::all_of(types.begin(), types.end(), [&](AssocType t) { return full.at(t); });
}

std::int64_t Plan::min_watermark() {
  std::int64_t wm = std::numeric_limits<std::int64_t>::max();
  for (AssocType t : types) wm = std::min(wm, full[t] ? 0 : state.rules[std::string(assoc_type_name(t))].watermark);
  return wm == std::numeric_limits<std::int64_t>::max() ? 0 : wm;
}

namespace {

// Why type `name` cannot continue from its state rs ("" when it can).
// count_cache: raw observations up to an id, shared by the types.
std::string state_mismatch(storage::AssocStore& repo, const std::string& name, const RuleState& rs,
                           const storage::RawObsStats& stats, std::map<std::int64_t, std::int64_t>& count_cache) {
  if (rs.watermark > stats.max_ingest_seq)
    return fmt::format(
        "state mismatch: {} watermark {} is beyond the database's largest ingest sequence {} (another database?)",
        name, rs.watermark, stats.max_ingest_seq);
  auto it = count_cache.find(rs.raw_max_id);
  if (it == count_cache.end()) it = count_cache.emplace(rs.raw_max_id, repo.count_raw_obs_up_to_id(rs.raw_max_id)).first;
  if (it->second != rs.raw_count)
    return fmt::format("state mismatch: {} raw observation(s) deleted since the last {} run", rs.raw_count - it->second,
                       name);
  return "";
}

}  // namespace

Plan make_plan(storage::AssocStore& repo, StateStore& store, const std::vector<AssocType>& types_in, Mode mode,
               bool create_instance) {
  Plan p;
  p.types = types_in.empty() ? std::vector<AssocType>(std::begin(kAssocTypes), std::end(kAssocTypes)) : types_in;
  const std::string instance = repo.instance_id(create_instance).value_or("");
  auto loaded = store.load();
  // One statistics query also counts the observations up to the state's id.
  std::optional<std::int64_t> up_to;
  if (loaded)
    for (const auto& [name, r] : loaded->rules) up_to = std::max(up_to.value_or(0), r.raw_max_id);
  p.stats = repo.raw_obs_stats(up_to);
  std::string global_mismatch;
  if (loaded && !loaded->instance_id.empty() && !instance.empty() && loaded->instance_id != instance)
    global_mismatch = fmt::format("the state at {} belongs to another database (instance {}, this database {})",
                                  store.location(), loaded->instance_id, instance);
  if (loaded && global_mismatch.empty()) p.state = *loaded;
  p.state.instance_id = instance;
  std::map<std::int64_t, std::int64_t> count_cache;
  if (up_to) count_cache[*up_to] = *p.stats.count_up_to;
  for (AssocType t : p.types) {
    std::string reason;
    const std::string name(assoc_type_name(t));
    if (mode == Mode::full)
      reason = "requested";
    else if (!global_mismatch.empty())
      reason = "state mismatch: " + global_mismatch;
    else if (!loaded)
      reason = fmt::format("no state at {}", store.location());
    else if (!p.state.rules.count(name))
      reason = fmt::format("no state for {}", name);
    else
      reason = state_mismatch(repo, name, p.state.rules.at(name), p.stats, count_cache);
    p.full[t] = !reason.empty();
    if (!reason.empty()) {
      if (p.full_reason.empty()) p.full_reason = reason;
      if (mode != Mode::full) p.messages.push_back(fmt::format("{}: full regeneration ({})", name, reason));
    }
  }
  return p;
}

void run_rules(Pass& pass, Plan& plan, const std::vector<ObsFact>& pending, std::int64_t new_watermark,
               std::vector<RuleReport>& reports, const std::function<void()>& check_cancel) {
  for (AssocType t : plan.types) {
    if (check_cancel) check_cancel();
    RuleReport rep;
    rep.type = assoc_type_name(t);
    RuleState& rs = plan.state.rules[rep.type];
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
    rs.raw_count = plan.stats.total;
    rs.raw_max_id = plan.stats.max_id;
    reports.push_back(std::move(rep));
  }
}

}  // namespace tolteca::assoc
