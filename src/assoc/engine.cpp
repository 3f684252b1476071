// The engine's entry points: generate, stream, state_info, reset_state. The
// plan (full or incremental per type): plan.cpp; one pass of the rules:
// pass.cpp, cal_window.cpp; reconciliation: reconcile.cpp.
#include "assoc/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "assoc/errors.h"
#include "assoc/pass.h"
#include "assoc/plan.h"
#include "assoc/state.h"
#include "model/split.h"
#include "model/time.h"

namespace tolteca::assoc {

std::vector<AssocType> parse_assoc_types(const std::string& text) {
  std::vector<AssocType> out;
  for (const std::string& item : split_nonempty(text, ',', Trim::blanks)) {
    const std::optional<AssocType> t = parse_assoc_type(item);
    if (!t) throw UnknownAssocType(item);
    if (std::find(out.begin(), out.end(), *t) == out.end()) out.push_back(*t);
  }
  if (out.empty()) throw NoAssocTypes();
  std::sort(out.begin(), out.end());
  return out;
}

void ChangeCounts::add(const RuleReport& r) {
  if (r.type != assoc_type_name(AssocType::cal_obs)) {
    groups_created += r.created;
    groups_unchanged += r.unchanged;
    groups_updated += r.updated;
    groups_deleted += r.deleted;
  }
  edges_added += r.edges_added;
  edges_removed += r.edges_removed;
}

ChangeCounts& ChangeCounts::operator+=(const ChangeCounts& o) {
  groups_created += o.groups_created;
  groups_updated += o.groups_updated;
  groups_deleted += o.groups_deleted;
  groups_unchanged += o.groups_unchanged;
  edges_added += o.edges_added;
  edges_removed += o.edges_removed;
  return *this;
}

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string now_iso() {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch());
  return format_iso8601(us.count() - us.count() % 1'000'000);
}

ChangeCounts sum(const std::vector<RuleReport>& rules) {
  ChangeCounts c;
  for (const auto& r : rules) c.add(r);
  return c;
}

// The event of a generation: its one-line message and its details (JSON).
void log_generate(storage::AssocStore& repo, const GenerateReport& r) {
  repo.log_event(
      fmt::format("assoc generate ({}): {} created, {} updated, {} deleted groups; {} edges added, {} removed", r.mode,
                  r.groups_created, r.groups_updated, r.groups_deleted, r.edges_added, r.edges_removed),
      fmt::format(
          R"({{"mode":"{}","pending":{},"considered":{},"groups_created":{},"groups_updated":{},"groups_deleted":{},"edges_added":{},"edges_removed":{},"watermark":{}}})",
          r.mode, r.pending, r.considered, r.groups_created, r.groups_updated, r.groups_deleted, r.edges_added,
          r.edges_removed, r.watermark_after));
}

// The pending observations of an incremental generation from min_wm; none
// (and every type full) when more are pending than a full run is worth.
std::vector<ObsFact> load_pending(storage::AssocStore& repo, Plan& plan, const GenerateOptions& opt,
                                  std::int64_t min_wm) {
  // Beyond this many pending observations a full run is faster.
  const std::int64_t limit = std::max<std::int64_t>(
      opt.auto_full_min_pending, static_cast<std::int64_t>(opt.auto_full_fraction * static_cast<double>(plan.stats.total)));
  std::vector<ObsFact> pending = repo.pending_facts(min_wm, limit + 1);
  if (static_cast<std::int64_t>(pending.size()) <= limit) return pending;
  plan.messages.push_back(
      fmt::format("more than {} of {} observations pending: a full regeneration is faster", limit, plan.stats.total));
  if (plan.full_reason.empty()) plan.full_reason = "too many pending observations";
  for (AssocType t : plan.types) plan.full[t] = true;
  return {};
}

}  // namespace

// ---- generate -------------------------------------------------------------------

GenerateReport generate(storage::AssocStore& repo, const GenerateOptions& opt) {
  const auto t0 = Clock::now();
  if (repo.read_only() && !opt.dry_run) throw ReadOnlyStore(ReadOnlyStore::Operation::generate);
  StateStore store(repo, opt.state);
  GenerateReport rep;
  rep.dry_run = opt.dry_run;
  Plan plan = make_plan(repo, store, opt.types, opt.mode, !opt.dry_run);
  const storage::RawObsStats stats = plan.stats;
  rep.raw_obs_total = stats.total;
  const std::int64_t min_wm = plan.min_watermark();
  rep.watermark_before = min_wm;
  std::vector<ObsFact> pending;
  if (!plan.all_full()) pending = load_pending(repo, plan, opt, min_wm);
  const bool all_full = plan.all_full();
  rep.mode = all_full ? "full" : "incremental";
  rep.full_reason = plan.full_reason;
  rep.pending = all_full ? (min_wm == 0 ? stats.total : repo.count_pending(min_wm))
                         : static_cast<std::int64_t>(pending.size());
  rep.messages = plan.messages;

  storage::StoreDiff diff;
  Pass pass(repo, diff, pending, stats);
  {
    // Reads and writes in one transaction: a consistent snapshot, one commit.
    std::unique_ptr<storage::AssocStore::Transaction> tx;
    if (!opt.dry_run) tx = repo.begin();
    run_rules(pass, plan, pending, stats.max_ingest_seq, rep.rules, opt.check_cancel);
    rep.considered = pass.considered();
    rep.changes = std::move(pass.changes());
    rep.watermark_after = stats.max_ingest_seq;
    static_cast<ChangeCounts&>(rep) = sum(rep.rules);
    plan.state.updated_at = now_iso();
    if (opt.check_cancel) opt.check_cancel();
    if (!opt.dry_run) {
      repo.apply(diff);
      if (store.in_database()) store.save(plan.state);
      log_generate(repo, rep);
      tx->commit();
    }
  }
  if (!opt.dry_run && !store.in_database()) store.save(plan.state);
  rep.elapsed_s = seconds_since(t0);
  return rep;
}

// ---- stream ---------------------------------------------------------------------------

namespace {

// The state does not allow continuing: one full generation, reported as batch 0.
StreamReport stream_full_first(storage::AssocStore& repo, const StreamOptions& opt,
                               const std::function<void(const BatchReport&)>& on_batch) {
  StreamReport out;
  GenerateOptions g;
  g.mode = Mode::incremental;
  g.state = opt.state;
  g.types = opt.types;
  g.dry_run = opt.dry_run;
  g.check_cancel = opt.check_cancel;
  const GenerateReport r = generate(repo, g);
  out.full_reason = r.full_reason;
  BatchReport b;
  static_cast<ChangeCounts&>(b) = r;
  b.index = 0;
  b.observations = r.pending;
  b.considered = r.considered;
  b.watermark = r.watermark_after;
  b.committed = !opt.dry_run;
  b.elapsed_s = r.elapsed_s;
  out.batches.push_back(b);
  if (on_batch) on_batch(b);
  out.remaining = opt.dry_run ? 0 : repo.count_pending(r.watermark_after);
  return out;
}

// Commits a stream's open transaction with the state (database state inside
// it, filesystem state after it).
struct StreamCommitter {
  storage::AssocStore& repo;
  StateStore& store;
  Plan& plan;
  std::unique_ptr<storage::AssocStore::Transaction> tx;
  std::int64_t in_tx = 0;  // batches in the open transaction

  void commit() {
    if (!tx) return;
    if (store.in_database()) store.save(plan.state);
    tx->commit();
    tx.reset();
    if (!store.in_database()) store.save(plan.state);
    in_tx = 0;
  }
};

// One batch of a stream: the rules over the batch's facts, applied (unless a dry run).
BatchReport run_batch(StreamCommitter& c, const StreamOptions& opt, const std::vector<ObsFact>& batch,
                      std::int64_t index) {
  const auto tb = Clock::now();
  if (!opt.dry_run && !c.tx) c.tx = c.repo.begin();
  std::int64_t batch_wm = 0;
  for (const auto& f : batch) batch_wm = std::max(batch_wm, f.ingest_seq);
  storage::StoreDiff diff;
  Pass pass(c.repo, diff, batch, c.plan.stats);
  std::vector<RuleReport> reports;
  run_rules(pass, c.plan, batch, batch_wm, reports, opt.check_cancel);
  BatchReport b;
  static_cast<ChangeCounts&>(b) = sum(reports);
  b.index = index;
  b.observations = static_cast<std::int64_t>(batch.size());
  b.considered = pass.considered();
  b.watermark = batch_wm;
  c.plan.state.updated_at = now_iso();
  if (!opt.dry_run) {
    c.repo.apply(diff);
    if (++c.in_tx >= opt.commit_every) {
      c.commit();
      b.committed = true;
    }
  }
  b.elapsed_s = seconds_since(tb);
  return b;
}

}  // namespace

StreamReport stream(storage::AssocStore& repo, const StreamOptions& opt,
                    const std::function<void(const BatchReport&)>& on_batch) {
  const auto t0 = Clock::now();
  using Size = NonPositiveStreamSize;
  if (opt.batch_size <= 0) throw Size(Size::Field::batch_size, opt.batch_size);
  if (opt.commit_every <= 0) throw Size(Size::Field::commit_every, opt.commit_every);
  if (repo.read_only() && !opt.dry_run) throw ReadOnlyStore(ReadOnlyStore::Operation::stream);
  StateStore store(repo, opt.state);
  Plan plan = make_plan(repo, store, opt.types, Mode::incremental, !opt.dry_run);
  if (plan.any_full()) {
    StreamReport out = stream_full_first(repo, opt, on_batch);
    out.elapsed_s = seconds_since(t0);
    return out;
  }
  StreamReport out;
  StreamCommitter committer{repo, store, plan, nullptr};
  for (std::int64_t index = 1; opt.max_batches <= 0 || index <= opt.max_batches; ++index) {
    if (opt.check_cancel) opt.check_cancel();
    const auto batch = repo.pending_facts(plan.min_watermark(), opt.batch_size);
    if (batch.empty()) break;
    out.batches.push_back(run_batch(committer, opt, batch, index));
    if (on_batch) on_batch(out.batches.back());
    if (opt.dry_run) break;  // without writing, the next batch would see the same observations
    if (static_cast<std::int64_t>(batch.size()) < opt.batch_size) break;
  }
  if (!opt.dry_run) {
    if (committer.tx) {
      committer.commit();
      if (!out.batches.empty()) out.batches.back().committed = true;
    }
    repo.log_event(fmt::format("assoc stream: {} batch(es)", out.batches.size()), "{}");
  }
  out.remaining = repo.count_pending(plan.min_watermark());
  out.elapsed_s = seconds_since(t0);
  return out;
}

// ---- state ------------------------------------------------------------------------------

StateInfo state_info(storage::AssocStore& repo, const StateOptions& options) {
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
  for (AssocType t : kAssocTypes) {
    StateInfo::Rule r;
    r.type = assoc_type_name(t);
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
    r.groups = t == AssocType::cal_obs ? repo.count_cal_edges() : repo.count_groups(t);
    info.rules.push_back(r);
  }
  return info;
}

void reset_state(storage::AssocStore& repo, const StateOptions& options) {
  if (repo.read_only()) throw ReadOnlyStore(ReadOnlyStore::Operation::reset_state);
  StateStore store(repo, options);
  store.clear();
}

}  // namespace tolteca::assoc
