// ingest scan (ingest.h): the walk and the workers of an ingest, tallied into a report; no database.
#include <algorithm>
#include <unordered_set>

#include "ingest/ingest.h"
#include "ingest/pipeline.h"
#include "ingest/run.h"
#include "ingest/walk.h"

namespace tolteca::ingest {

using namespace detail;

namespace {

// One decided file into the report.
void tally(ScanReport& rep, const ScanOptions& opts, std::unordered_set<std::string>& raw_uids, const Done& d) {
  const auto& c = d.c;
  if (c.outcome == Outcome::skipped || c.outcome == Outcome::failed) {
    auto& reasons = c.outcome == Outcome::skipped ? rep.skipped_reasons : rep.failed_reasons;
    ++reasons[c.reason];
    ++(c.outcome == Outcome::skipped ? rep.skipped : rep.failed);
    if (rep.rejections.size() < opts.max_rejections) rep.rejections.push_back({d.rel, c.reason, c.detail});
    if (c.outcome == Outcome::skipped) return;
  } else {
    ++rep.recognised;
  }
  const auto& r = c.record;
  if (r.problem) ++rep.flagged;
  ++rep.per_interface[r.interface];
  ++rep.per_master[r.master];
  if (r.data_kind == 0) ++rep.per_kind["(none)"];
  for (const auto& info : all_data_kinds())
    if (has(r.data_kind, info.kind)) ++rep.per_kind[std::string(info.name)];
  if (!r.reduced) raw_uids.insert(r.uid);
  if (opts.details) rep.files.push_back({d.rel, r.uid, r.interface, r.data_kind, r.is_raw, r.problem.value_or("")});
}

}  // namespace

ScanReport scan_directory(const std::string& root, const ScanOptions& opts) {
  auto t0 = Clock::now();
  ScanReport rep;
  rep.root = canonical_path(root);
  const std::string root_abs = rep.root;
  WalkOptions wopts{opts.pattern, opts.recursive};
  Counters k;
  std::unordered_set<std::string> raw_uids;
  std::int64_t decided = 0;
  PipelineSpec<Item, Done> spec;
  spec.jobs = checked_jobs(opts.jobs);
  spec.produce = [&](const std::function<bool(Item&&)>& emit) {
    walk_tree(
        root_abs, wopts,
        [&](const WalkedFile& f) {
          ++k.found;
          emit(Item{std::string(f.rel), FileStat{f.size, f.mtime_ns}, false, false, {}, std::nullopt});
        },
        [&](std::string_view rel, std::string_view reason) {
          ++k.found;
          emit(Item{std::string(rel), {}, false, false, std::string(reason), std::nullopt});
        });
    k.walk_done = true;
  };
  const bool headers = opts.read_headers;
  spec.work = [&root_abs, headers](Item& it) { return work_item(it, root_abs, headers); };
  spec.consume = [&](std::vector<Done>& chunk) {
    decided += static_cast<std::int64_t>(chunk.size());
    for (const auto& d : chunk) tally(rep, opts, raw_uids, d);
  };
  spec.tick = [&] {
    if (!opts.progress) return;
    Progress p;
    p.found = k.found;
    p.walk_done = k.walk_done;
    p.done = decided;
    p.elapsed_s = seconds_since(t0);
    opts.progress(p);
  };
  run_pipeline(spec);
  rep.scanned = decided;
  rep.raw_obs = static_cast<std::int64_t>(raw_uids.size());
  std::sort(rep.files.begin(), rep.files.end(), [](const ScanFile& a, const ScanFile& b) { return a.path < b.path; });
  std::sort(rep.rejections.begin(), rep.rejections.end(),
            [](const ScanRejection& a, const ScanRejection& b) { return a.path < b.path; });
  rep.elapsed_s = seconds_since(t0);
  return rep;
}

}  // namespace tolteca::ingest
