// One ingest run (run.h): items -> worker pool -> writer; then pruning and the summary.
#include "ingest/run.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <thread>

#include "ingest/errors.h"
#include "ingest/pipeline.h"
#include "ingest/prune_guard.h"
#include "ingest/walk.h"
#include "storage/registry.h"

namespace tolteca::ingest {

int checked_jobs(int jobs) {
  if (jobs < 0 || jobs > kMaxJobs) throw BadJobs(jobs, kMaxJobs);
  if (jobs > 0) return jobs;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

namespace detail {

std::string_view observation_sort_key(std::string_view rel) {
  auto slash = rel.rfind('/');
  std::string_view name = slash == std::string_view::npos ? rel : rel.substr(slash + 1);
  for (std::size_t i = 0; i + 1 < name.size(); ++i)
    if (name[i] == '_' && name[i + 1] >= '0' && name[i + 1] <= '9') return name.substr(i + 1);
  return name;
}

namespace {
bool is_netcdf_name(std::string_view rel) { return rel.size() > 3 && rel.substr(rel.size() - 3) == ".nc"; }
}  // namespace

bool is_unchanged(const storage::SnapshotEntry& e, const FileStat& st, bool read_headers, std::string_view rel) {
  return e.available && st.size && st.mtime_ns && e.size == *st.size && e.mtime_ns == *st.mtime_ns &&
         (e.header_read || !read_headers || !is_netcdf_name(rel));
}

Done work_item(Item& it, const std::string& data_root, bool read_headers,
               const std::function<void(const std::string&)>& before_read, std::optional<Master> fallback_master) {
  Done d;
  d.rel = std::move(it.rel);
  d.known = it.known;
  d.unchanged = it.unchanged;
  if (it.pre) {
    d.c = std::move(*it.pre);
    if (it.known) d.c.record.source_id = it.source_id;
    return d;
  }
  if (!it.error.empty()) {
    d.c.outcome = Outcome::skipped;
    d.c.reason = it.error.rfind("is a directory", 0) == 0 ? "directory with a data file name" : "cannot stat";
    d.c.detail = it.error;
    return d;
  }
  std::string abs = data_root;
  abs += '/';
  abs += d.rel;
  if (before_read) before_read(d.rel);
  d.c = classify_file(d.rel, abs, it.st, read_headers && !it.unchanged, fallback_master);
  if (it.unchanged) d.c.outcome = Outcome::recorded;
  if (it.known) d.c.record.source_id = it.source_id;
  return d;
}

namespace {

Progress make_progress(const Counters& k, const IngestSummary& s, const Writer& w, Clock::time_point t0) {
  Progress p;
  p.found = k.found;
  p.walk_done = k.walk_done;
  p.elapsed_s = seconds_since(t0);
  p.new_files = s.new_files;
  p.updated = s.updated;
  p.unchanged = s.unchanged + k.unchanged;
  p.skipped = s.skipped;
  p.failed = s.failed;
  p.done = w.decided() + k.unchanged;
  return p;
}

void finish_summary(IngestSummary& sum, Counters& k, Writer& w, Clock::time_point t0) {
  sum.unchanged += k.unchanged;
  sum.scanned = sum.new_files + sum.updated + sum.unchanged + sum.skipped + sum.failed;
  w.finish_counts();
  sum.elapsed_s = seconds_since(t0);
  sum.files_per_s = sum.elapsed_s > 0 ? static_cast<double>(sum.scanned) / sum.elapsed_s : 0;
}

IngestSummary start_summary(const ResolvedLocation& loc, const IngestOptions& opts) {
  IngestSummary sum;
  sum.location = loc.label;
  sum.data_root = loc.root;
  sum.location_created = loc.created;
  sum.root_extended_from = loc.extended_from;
  sum.paths_rewritten = loc.paths_rewritten;
  sum.dry_run = opts.dry_run;
  sum.read_headers = opts.read_headers;
  sum.jobs = checked_jobs(opts.jobs);
  return sum;
}

// Prune: the files the database knows under the walked scope that the walk did not see are marked
// missing, unless the guards (prune_guard.h) refuse.
void prune(storage::IngestWriter* repo, const ResolvedLocation& loc, const IngestOptions& opts,
           const std::string& prefix, const storage::Snapshot& snapshot, const Counters& k, IngestSummary& sum,
           Writer& writer) {
  std::vector<std::string> gone;
  std::int64_t in_scope = 0;
  WalkOptions scope{opts.pattern, opts.recursive};
  for (const auto& [rel, e] : snapshot) {
    if (!e.available || !in_walk_scope(scope, std::string_view(rel).substr(prefix.size()))) continue;
    ++in_scope;
    if (!e.seen && !under_unreadable(rel, k.unreadable)) gone.push_back(rel);
  }
  std::sort(gone.begin(), gone.end());
  if (!opts.force)
    sum.prune_refused = prune_refusal(prefix.empty() ? loc.root : loc.root + "/" + prefix.substr(0, prefix.size() - 1),
                                      static_cast<std::int64_t>(gone.size()), in_scope, opts.prune_max_percent);
  if (!sum.prune_refused.empty()) gone.clear();
  sum.missing = static_cast<std::int64_t>(gone.size());
  if (gone.empty() || !repo || opts.dry_run) return;
  auto out = repo->mark_missing(gone, {missing_event("prune", prefix.empty() ? "." : prefix,
                                                     fmt::format("{} file(s) marked missing", gone.size()), gone)});
  writer.add_changed(out.changed);
}

}  // namespace

storage::EventRecord missing_event(const std::string& kind, const std::string& subject, const std::string& message,
                                   const std::vector<std::string>& gone) {
  nlohmann::json first = nlohmann::json::array();
  for (std::size_t i = 0; i < gone.size() && i < 100; ++i) first.push_back(gone[i]);
  return {kind, subject, message, nlohmann::json{{"count", gone.size()}, {"first", first}}.dump()};
}

IngestSummary run_ingest(Clock::time_point t0, storage::Registry& s, const ResolvedLocation& loc,
                         const IngestOptions& opts, const std::string& prefix, const Produce& produce,
                         storage::Snapshot& snapshot) {
  IngestSummary sum = start_summary(loc, opts);
  std::unique_ptr<storage::IngestWriter> repo;
  if (loc.id >= 0) repo = s.ingest().writer(loc.id, opts.storage);

  Counters k;
  Writer writer(repo.get(), opts, sum, t0);
  PipelineSpec<Item, Done> spec;
  spec.jobs = sum.jobs;
  spec.produce = [&](const std::function<bool(Item&&)>& emit) {
    produce(snapshot, k, emit);
    k.walk_done = true;
  };
  const std::string root = loc.root;
  const bool headers = opts.read_headers;
  spec.work = [&root, headers, &opts](Item& it) {
    return work_item(it, root, headers, opts.before_read, opts.fallback_master);
  };
  spec.consume = [&](std::vector<Done>& chunk) { writer.consume(chunk); };
  spec.tick = [&] { writer.tick(make_progress(k, sum, writer, t0)); };
  run_pipeline(spec);
  writer.flush();
  if (opts.progress) {
    auto p = make_progress(k, sum, writer, t0);
    p.walk_done = true;
    opts.progress(p);
  }
  if (opts.prune && k.walk_done) prune(repo.get(), loc, opts, prefix, snapshot, k, sum, writer);
  finish_summary(sum, k, writer, t0);
  return sum;
}

void log_run(storage::Registry& s, const ResolvedLocation& loc, const storage::IngestOptions& storage_options,
             const IngestSummary& sum, const std::string& subject) {
  if (loc.id < 0 || sum.dry_run) return;
  auto repo = s.ingest().writer(loc.id, storage_options);
  std::string msg = fmt::format("{} scanned: {} new, {} updated, {} unchanged, {} skipped, {} failed, {} missing",
                                sum.scanned, sum.new_files, sum.updated, sum.unchanged, sum.skipped, sum.failed,
                                sum.missing);
  auto j = to_json(sum);
  j.erase("files");
  repo->add_events({{"ingest", subject, msg, j.dump()}});
}

}  // namespace detail
}  // namespace tolteca::ingest
