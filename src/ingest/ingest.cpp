#include "ingest/ingest.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>
#include <set>
#include <thread>
#include <unordered_set>

#include "storage/registry.h"
#include "storage/ingest_store.h"
#include "storage/site_db.h"
#include "ingest/classify.h"
#include "ingest/data_root.h"
#include "ingest/pipeline.h"
#include "ingest/site_rows.h"
#include "ingest/prune_guard.h"
#include "ingest/walk.h"
#include "model/error.h"
#include "model/time_arg.h"

namespace fs = std::filesystem;

namespace tolteca::ingest {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

int checked_jobs(int jobs) {
  if (jobs < 0) throw UserError(fmt::format("--jobs {}: give a number of worker threads, or 0 for one per core", jobs));
  if (jobs > kMaxJobs)
    throw UserError(fmt::format("--jobs {} is too many: at most {} worker threads (each may run a netCDF-4 helper "
                                "process); 0 means one per core",
                                jobs, kMaxJobs));
  if (jobs > 0) return jobs;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

namespace {

int default_jobs(int jobs) { return checked_jobs(jobs); }

struct Item {
  std::string rel;  // relative to the data root
  FileStat st;
  bool known = false;      // in the database already (=> updated)
  bool unchanged = false;  // only pushed when files are collected
  std::string error;       // stat failed
  std::optional<Classified> pre;  // already classified (site database rows)
  std::int64_t source_id = -1;    // the sources row when known
};

struct Done {
  Classified c;
  std::string rel;
  bool known = false;
  bool unchanged = false;
};

// "toltec3_018341_000_0000_2024_…" -> "018341_000_0000_2024_…": the name from its first number on,
// so that the files of one observation sort together whatever their network.
std::string_view observation_sort_key(std::string_view rel) {
  auto slash = rel.rfind('/');
  std::string_view name = slash == std::string_view::npos ? rel : rel.substr(slash + 1);
  for (std::size_t i = 0; i + 1 < name.size(); ++i)
    if (name[i] == '_' && name[i + 1] >= '0' && name[i + 1] <= '9') return name.substr(i + 1);
  return name;
}

bool is_netcdf_name(std::string_view rel) { return rel.size() > 3 && rel.substr(rel.size() - 3) == ".nc"; }

// True when the stored entry says the file is as it was (no need to re-read).
// Headers wanted: a .nc file recorded from its name only is read once.
bool is_unchanged(const storage::SnapshotEntry& e, const FileStat& st, bool read_headers, std::string_view rel) {
  return e.available && st.size && st.mtime_ns && e.size == *st.size && e.mtime_ns == *st.mtime_ns &&
         (e.header_read || !read_headers || !is_netcdf_name(rel));
}

// The writer: tallies outcomes, batches records, commits.
class Writer {
 public:
  Writer(storage::IngestWriter* repo, const IngestOptions& opts, IngestSummary& sum, Clock::time_point t0)
      : repo_(repo), opts_(opts), sum_(sum), t0_(t0), last_flush_(Clock::now()) {}

  void consume(std::vector<Done>& chunk) {
    for (auto& d : chunk) take(d);
    if (pending_.size() >= opts_.batch_size) flush();
  }

  void tick(const Progress& p) {
    if (!pending_.empty() && seconds_since(last_flush_) >= opts_.batch_seconds) flush();
    if (opts_.progress) opts_.progress(p);
  }

  void flush() {
    struct Stamp {
      Clock::time_point& t;
      ~Stamp() { t = Clock::now(); }  // the next time-based flush counts from the end of this one
    } stamp{last_flush_};
    if (pending_.empty() && events_.empty()) return;
    if (repo_ && !opts_.dry_run) {
      auto out = repo_->write_batch(pending_, events_);
      created_.insert(out.created.begin(), out.created.end());
      changed_.insert(out.changed.begin(), out.changed.end());
      ++sum_.batches;
    } else {
      for (const auto& r : pending_)
        if (!r.reduced) changed_.insert(r.uid);
    }
    pending_.clear();
    events_.clear();
  }

  void add_changed(const std::vector<std::string>& uids) { changed_.insert(uids.begin(), uids.end()); }

  void finish_counts() {
    sum_.obsnum_ranges.clear();
    for (const char* m : {"tcs", "ics", "clip"})
      if (auto it = ranges_.find(m); it != ranges_.end()) sum_.obsnum_ranges.push_back(it->second);
    for (const auto& [m, r] : ranges_)
      if (m != "tcs" && m != "ics" && m != "clip") sum_.obsnum_ranges.push_back(r);
    sum_.nights.assign(nights_.begin(), nights_.end());
    if (opts_.dry_run) {
      std::vector<std::string> uids(changed_.begin(), changed_.end());
      std::int64_t existing = repo_ ? repo_->count_existing_raw_obs(uids) : 0;
      sum_.raw_obs_created = static_cast<std::int64_t>(uids.size()) - existing;
      sum_.raw_obs_updated = existing;
      return;
    }
    sum_.raw_obs_created = static_cast<std::int64_t>(created_.size());
    std::int64_t updated = 0;
    for (const auto& u : changed_)
      if (!created_.count(u)) ++updated;
    sum_.raw_obs_updated = updated;
  }

  std::int64_t decided() const { return decided_; }

 private:
  void take(Done& d) {
    ++decided_;
    const auto& c = d.c;
    FileOutcome fo;
    if (opts_.collect_files) {
      fo.path = d.rel;
      fo.uid = c.record.uid;
      fo.interface = c.record.interface;
      fo.data_kind = c.record.data_kind;
    }
    if (d.unchanged) {
      ++sum_.unchanged;
      fo.status = "unchanged";
    } else if (c.outcome == Outcome::skipped) {
      ++sum_.skipped;
      ++sum_.skipped_reasons[c.reason];
      fo.status = "skipped";
      fo.note = c.reason + (c.detail.empty() ? "" : ": " + c.detail);
      if (note_problem(d.rel, "skipped", fo.note) && first_time_skipped(d.rel, fo.note))
        events_.push_back({"skipped", d.rel, fo.note, nlohmann::json{{"reason", c.reason}}.dump()});
    } else {
      if (c.outcome == Outcome::failed) {
        ++sum_.failed;
        ++sum_.failed_reasons[c.reason];
        fo.status = "failed";
        fo.note = c.detail.empty() ? c.reason : c.detail;
        note_problem(d.rel, "failed", fo.note);
        events_.push_back({"failed", d.rel, fo.note, nlohmann::json{{"reason", c.reason}}.dump()});
        if (c.record.uid.empty()) {  // nothing to record (a path outside the data root, a bad identity)
          if (opts_.collect_files) sum_.files.push_back(std::move(fo));
          return;
        }
      } else {
        d.known ? ++sum_.updated : ++sum_.new_files;
        fo.status = d.known ? "updated" : "new";
        if (c.record.problem) {
          ++sum_.flagged;
          fo.note = *c.record.problem;
          note_problem(d.rel, "flagged", fo.note);
        }
      }
      note_added(d.c.record);
      pending_.push_back(std::move(d.c.record));
    }
    if (opts_.collect_files) sum_.files.push_back(std::move(fo));
  }

  void note_added(const storage::FileRecord& r) {
    if (r.master.empty()) return;
    auto [it, fresh] = ranges_.try_emplace(r.master, IngestSummary::ObsnumRange{r.master, r.obsnum, r.obsnum, 0});
    it->second.first = std::min(it->second.first, r.obsnum);
    it->second.last = std::max(it->second.last, r.obsnum);
    ++it->second.files;
    if (auto t = r.obs_start_time ? r.obs_start_time : r.file_time) nights_.insert(format_iso8601(*t).substr(0, 10));
  }

  // A file skipped for the same reason by an earlier run was logged then: a re-run writes nothing new.
  bool first_time_skipped(const std::string& rel, const std::string& message) {
    if (!repo_ || opts_.dry_run) return true;
    if (!logged_skips_) logged_skips_ = repo_->event_keys("skipped");
    return logged_skips_->insert(rel + '\n' + message).second;
  }

  // Lists a problem file in the summary; false once the list is full (then only counted).
  bool note_problem(const std::string& rel, const char* status, const std::string& reason) {
    if (sum_.problems.size() >= IngestSummary::kMaxListedProblems) {
      ++sum_.problems_not_listed;
      return false;
    }
    sum_.problems.push_back({rel, status, reason});
    return true;
  }

  std::optional<std::unordered_set<std::string>> logged_skips_;
  storage::IngestWriter* repo_;
  const IngestOptions& opts_;
  IngestSummary& sum_;
  Clock::time_point t0_;
  Clock::time_point last_flush_;
  std::vector<storage::FileRecord> pending_;
  std::vector<storage::EventRecord> events_;
  std::unordered_set<std::string> created_, changed_;
  std::map<std::string, IngestSummary::ObsnumRange> ranges_;
  std::set<std::string> nights_;
  std::int64_t decided_ = 0;
};

struct Counters {
  std::atomic<std::int64_t> found{0};
  std::atomic<std::int64_t> unchanged{0};  // decided by the walker
  std::atomic<bool> walk_done{false};
  std::vector<std::string> unreadable;  // walk errors (relative to the data root); written by the producer only
};

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

Done work_item(Item& it, const std::string& data_root, bool read_headers,
               const std::function<void(const std::string&)>& before_read = {},
               std::optional<Master> fallback_master = std::nullopt) {
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

void finish_summary(IngestSummary& sum, Counters& k, Writer& w, Clock::time_point t0) {
  sum.unchanged += k.unchanged;
  sum.scanned = sum.new_files + sum.updated + sum.unchanged + sum.skipped + sum.failed;
  w.finish_counts();
  sum.elapsed_s = seconds_since(t0);
  sum.files_per_s = sum.elapsed_s > 0 ? static_cast<double>(sum.scanned) / sum.elapsed_s : 0;
}

void log_run(storage::IngestWriter* repo, const IngestSummary& sum, const std::string& subject) {
  if (!repo || sum.dry_run) return;
  std::string msg = fmt::format("{} scanned: {} new, {} updated, {} unchanged, {} skipped, {} failed, {} missing",
                                sum.scanned, sum.new_files, sum.updated, sum.unchanged, sum.skipped, sum.failed,
                                sum.missing);
  auto j = to_json(sum);
  j.erase("files");
  repo->add_events({{"ingest", subject, msg, j.dump()}});
}

}  // namespace

nlohmann::json to_json(const IngestSummary& s) {
  nlohmann::json j{{"location", s.location},
                   {"data_root", s.data_root},
                   {"root", s.root},
                   {"location_created", s.location_created},
                   {"root_extended_from", s.root_extended_from.empty() ? nlohmann::json(nullptr)
                                                                       : nlohmann::json(s.root_extended_from)},
                   {"paths_rewritten", s.paths_rewritten},
                   {"dry_run", s.dry_run},
                   {"headers", s.read_headers},
                   {"jobs", s.jobs},
                   {"scanned", s.scanned},
                   {"new", s.new_files},
                   {"updated", s.updated},
                   {"unchanged", s.unchanged},
                   {"skipped", s.skipped},
                   {"failed", s.failed},
                   {"flagged", s.flagged},
                   {"missing", s.missing},
                   {"prune_refused", s.prune_refused.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.prune_refused)},
                   {"skipped_reasons", s.skipped_reasons},
                   {"failed_reasons", s.failed_reasons},
                   {"raw_obs_created", s.raw_obs_created},
                   {"raw_obs_updated", s.raw_obs_updated},
                   {"nights", s.nights},
                   {"batches", s.batches},
                   {"elapsed_s", s.elapsed_s},
                   {"files_per_s", s.files_per_s}};
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& p : s.problems) problems.push_back({{"path", p.path}, {"status", p.status}, {"reason", p.reason}});
  j["problems"] = std::move(problems);
  nlohmann::json ranges = nlohmann::json::array();
  for (const auto& r : s.obsnum_ranges)
    ranges.push_back({{"master", r.master}, {"first_obsnum", r.first}, {"last_obsnum", r.last}, {"files", r.files}});
  j["obsnum_ranges"] = std::move(ranges);
  if (s.problems_not_listed > 0) j["problems_not_listed"] = s.problems_not_listed;
  if (s.from_site_db) {
    j["site_rows"] = s.site_rows;
    j["missing_locally"] = s.missing_locally;
  }
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : s.files)
    files.push_back({{"path", f.path},
                     {"status", f.status},
                     {"uid", f.uid},
                     {"interface", f.interface},
                     {"data_kind", f.data_kind},
                     {"data_kind_names", data_kind_names(f.data_kind)},
                     {"kinds", data_kind_list(f.data_kind)},
                     {"note", f.note}});
  j["files"] = files;
  return j;
}

std::string canonical_path(const std::string& path) {
  std::error_code ec;
  auto p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) p = fs::absolute(path).lexically_normal();
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::optional<std::string> relative_to(const std::string& path, const std::string& root) {
  if (path == root) return std::string();
  std::string r = root;
  if (r.empty() || r.back() != '/') r += '/';
  if (path.size() > r.size() && path.compare(0, r.size(), r) == 0) return path.substr(r.size());
  return std::nullopt;
}

// ---- ingest directory / files ------------------------------------------------

namespace {

IngestSummary run_ingest(Clock::time_point t0, storage::Registry& s, const ResolvedLocation& loc, const IngestOptions& opts,
                         const std::string& prefix,
                         const std::function<void(storage::Snapshot&, Counters&, const std::function<bool(Item&&)>&)>& produce,
                         storage::Snapshot& snapshot) {
  IngestSummary sum;
  sum.location = loc.label;
  sum.data_root = loc.root;
  sum.location_created = loc.created;
  sum.root_extended_from = loc.extended_from;
  sum.paths_rewritten = loc.paths_rewritten;
  sum.dry_run = opts.dry_run;
  sum.read_headers = opts.read_headers;
  sum.jobs = default_jobs(opts.jobs);
  std::unique_ptr<storage::IngestWriter> repo;
  if (loc.id >= 0) repo = s.ingest().writer(loc.id, opts.storage);

  Counters k;
  Writer writer(repo.get(), opts, sum, t0);
  detail::PipelineSpec<Item, Done> spec;
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
  detail::run_pipeline(spec);
  writer.flush();
  if (opts.progress) {
    auto p = make_progress(k, sum, writer, t0);
    p.walk_done = true;
    opts.progress(p);
  }
  // Prune: files the database knows under the walked scope that the walk did not see.
  if (opts.prune && k.walk_done) {
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
    if (!gone.empty() && repo && !opts.dry_run) {
      nlohmann::json first = nlohmann::json::array();
      for (std::size_t i = 0; i < gone.size() && i < 100; ++i) first.push_back(gone[i]);
      auto out = repo->mark_missing(
          gone, {{"prune", prefix.empty() ? "." : prefix, fmt::format("{} file(s) marked missing", gone.size()),
                  nlohmann::json{{"count", gone.size()}, {"first", first}}.dump()}});
      writer.add_changed(out.changed);
    }
  }
  finish_summary(sum, k, writer, t0);
  return sum;
}

}  // namespace

void check_directory(const std::string& root) {
  struct stat st;
  if (::stat(canonical_path(root).c_str(), &st) != 0)
    throw UserError(fmt::format("cannot read directory {}: {}", root, std::strerror(errno)));
  if (!S_ISDIR(st.st_mode)) throw UserError(fmt::format("{} is not a directory", root));
}

IngestSummary ingest_directory(storage::Registry& s, const std::string& root, const IngestOptions& opts) {
  const auto t0 = Clock::now();
  std::string root_abs = canonical_path(root);
  check_directory(root);
  checked_jobs(opts.jobs);
  if (opts.prune && !opts.force) check_prune_root(root_abs);
  auto loc = resolve_location(s, opts.location, opts.data_root, absolute_root(root), !opts.dry_run);
  auto rel_root = relative_to(root_abs, canonical_path(loc.root));
  if (!rel_root)
    throw UserError(fmt::format("{} is not under the data root {} of location {}", root_abs, loc.root, loc.label));
  const std::string prefix = rel_root->empty() ? std::string() : *rel_root + "/";

  // The snapshot loads on its own connection while the tree is walked.
  std::future<storage::Snapshot> loading;
  if (loc.id >= 0)
    loading = std::async(std::launch::async,
                         [&s, id = loc.id, prefix] { return s.ingest().load_snapshot_concurrently(id, prefix); });
  storage::Snapshot snapshot;
  WalkOptions wopts{opts.pattern, opts.recursive};
  const bool headers = opts.read_headers;
  auto produce = [&, headers](storage::Snapshot& snap, Counters& k, const std::function<bool(Item&&)>& emit) {
    struct Walked {
      std::string rel;  // relative to the data root
      FileStat st;
      std::string error;
    };
    std::vector<Walked> walked;
    walk_tree(
        root_abs, wopts,
        [&](const WalkedFile& f) {
          ++k.found;
          std::string full;
          full.reserve(prefix.size() + f.rel.size());
          full.append(prefix).append(f.rel);
          walked.push_back({std::move(full), FileStat{f.size, f.mtime_ns}, {}});
        },
        [&](std::string_view rel, std::string_view reason) {
          ++k.found;
          if (reason.rfind("is a directory", 0) == 0) {
            // still walked: its files are seen
          } else if (rel == ".") k.unreadable.push_back(prefix.empty() ? std::string() : prefix.substr(0, prefix.size() - 1));
          else k.unreadable.push_back(prefix + std::string(rel));
          walked.push_back({prefix + std::string(rel), {}, std::string(reason)});
        });
    if (loading.valid()) snap = loading.get();
    // Unchanged files stop here. The others are handed on in observation order, so that the files
    // of one observation (one per network directory) land in the same batch: each raw observation
    // is then created/updated about once instead of once per batch (in DuckDB, re-updating the same
    // product rows batch after batch grew superlinearly: 22 s of CPU for 1M files).
    std::vector<Item> todo;
    for (auto& w : walked) {
      bool known = false;
      std::int64_t id = -1;
      if (auto it = snap.find(w.rel); it != snap.end()) {
        known = true;
        id = it->second.id;
        it->second.seen = true;  // present (even when unreadable)
        if (w.error.empty() && (opts.skip_existing || is_unchanged(it->second, w.st, headers, w.rel))) {
          ++k.unchanged;
          continue;
        }
      }
      if (!w.error.empty()) known = false;
      todo.push_back(Item{std::move(w.rel), w.st, known, false, std::move(w.error), std::nullopt, id});
    }
    walked.clear();
    walked.shrink_to_fit();
    std::vector<std::pair<std::string_view, std::uint32_t>> order;
    order.reserve(todo.size());
    for (std::uint32_t i = 0; i < todo.size(); ++i) order.emplace_back(observation_sort_key(todo[i].rel), i);
    std::sort(order.begin(), order.end());
    for (const auto& [key, i] : order)
      if (!emit(std::move(todo[i]))) return;
  };
  auto sum = run_ingest(t0, s, loc, opts, prefix, produce, snapshot);
  sum.root = root_abs;
  if (loc.id >= 0 && !opts.dry_run) {
    auto repo = s.ingest().writer(loc.id, opts.storage);
    log_run(repo.get(), sum, root_abs);
  }
  return sum;
}

IngestSummary ingest_files(storage::Registry& s, const std::vector<std::string>& paths, const IngestOptions& opts) {
  const auto t0 = Clock::now();
  if (paths.empty()) throw UserError("no files given");
  std::vector<std::string> abs;
  std::set<std::string> unique;
  for (const auto& p : paths) {
    std::string a = canonical_path(p);
    struct stat st;
    if (::stat(a.c_str(), &st) != 0) throw UserError(fmt::format("cannot read {}: {}", p, std::strerror(errno)));
    if (!S_ISREG(st.st_mode)) throw UserError(fmt::format("{} is not a regular file", p));
    if (unique.insert(a).second) abs.push_back(a);
  }
  // The location must contain every file's directory (as the user named them: symlinks kept).
  std::string dirs;
  for (const auto& p : paths) {
    std::string d = fs::path(absolute_root(p)).parent_path().string();
    dirs = dirs.empty() ? d : common_ancestor(dirs, d);
  }
  auto loc = resolve_location(s, opts.location, opts.data_root, dirs, !opts.dry_run);
  // Each path resolved (symlinks, "..", "//") and required to lie under the data root: one outside it
  // is a per-file failure (never recorded); when every path is outside, the command is an error.
  std::vector<std::string> rels, outside;
  std::vector<std::string> inside_abs;
  for (const auto& a : abs) {
    if (auto r = relative_to(a, canonical_path(loc.root)); r && !r->empty()) {
      rels.push_back(*r);
      inside_abs.push_back(a);
    } else {
      outside.push_back(a);
    }
  }
  if (rels.empty())
    throw UserError(fmt::format("{} is not under the data root {} of location {}", outside.front(), loc.root,
                                loc.label));
  const std::size_t n_given = abs.size();
  abs = std::move(inside_abs);
  storage::Snapshot snapshot;
  if (loc.id >= 0) snapshot = s.ingest().writer(loc.id, opts.storage)->load_snapshot_for(rels);
  const bool headers = opts.read_headers;
  auto produce = [&, headers](storage::Snapshot& snap, Counters& k, const std::function<bool(Item&&)>& emit) {
    for (const auto& a : outside) {
      ++k.found;
      Item it;
      it.rel = a;
      it.pre = Classified{Outcome::failed, {}, "path outside the data root",
                          fmt::format("{} is not under the data root {}; not recorded", a, loc.root)};
      if (!emit(std::move(it))) return;
    }
    for (std::size_t i = 0; i < abs.size(); ++i) {
      ++k.found;
      struct stat st;
      if (::stat(abs[i].c_str(), &st) != 0) {
        emit(Item{rels[i], {}, false, false, std::strerror(errno), std::nullopt});
        continue;
      }
      FileStat fst{static_cast<std::int64_t>(st.st_size),
                   static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec};
      auto it = snap.find(rels[i]);
      bool known = it != snap.end();
      bool unchanged = known && is_unchanged(it->second, fst, headers, rels[i]);
      emit(Item{rels[i], fst, known, unchanged, {}, std::nullopt, known ? it->second.id : -1});
    }
  };
  IngestOptions o = opts;
  o.collect_files = true;
  auto sum = run_ingest(t0, s, loc, o, "", produce, snapshot);
  std::sort(sum.files.begin(), sum.files.end(), [](const FileOutcome& a, const FileOutcome& b) { return a.path < b.path; });
  if (loc.id >= 0 && !opts.dry_run) {
    auto repo = s.ingest().writer(loc.id, opts.storage);
    log_run(repo.get(), sum, fmt::format("{} file(s)", n_given));
  }
  return sum;
}

// ---- site database -----------------------------------------------------------

std::vector<int> parse_obs_types(const std::string& text) {
  std::vector<int> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string t = text.substr(start, end - start);
    start = end + 1;
    while (!t.empty() && t.back() == ' ') t.pop_back();
    while (!t.empty() && t.front() == ' ') t.erase(t.begin());
    if (t.empty()) continue;
    std::string l = t;
    for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto add = [&](std::initializer_list<int> v) { out.insert(out.end(), v); };
    if (l.size() == 1 && l[0] >= '0' && l[0] <= '4') add({l[0] - '0'});
    else if (l == "nominal") add({0});
    else if (l == "timestream" || l == "rawtimestream") add({0, 1});
    else if (l == "vna" || l == "vnasweep") add({2});
    else if (l == "targ" || l == "targsweep" || l == "targetsweep") add({3});
    else if (l == "tune") add({4});
    else if (l == "rawsweep" || l == "sweep") add({2, 3, 4});
    else
      throw UserError(fmt::format("unknown obs type '{}' (use nominal, timestream, vna, targ, tune, or 0..4)", t));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

IngestSummary ingest_toltec_db(storage::Registry& s, const std::string& source, const SiteDbOptions& opts) {
  const auto t0 = Clock::now();
  storage::SiteDbFilter filter;
  // Any time model/time_arg.h accepts; a day ("2024-11-13", "today", "yesterday") stays a day (inclusive).
  auto norm = [](const std::string& t, const char* what) {
    if (t.empty()) return t;
    const UnixMicros v = parse_time_option_or_throw(t, what);
    std::string iso = format_iso8601(v);  // YYYY-MM-DDTHH:MM:SSZ
    const bool day = (t.size() == 10 && parse_iso8601(t)) || t == "today" || t == "yesterday";
    return day ? iso.substr(0, 10) : iso.substr(0, 10) + " " + iso.substr(11, 8);
  };
  filter.since = norm(opts.since, "--since");
  filter.until = norm(opts.until, "--until");
  filter.obs_types = opts.obs_types;
  filter.valid_only = opts.valid_only;
  storage::site_db_path(source);  // validates the URL before anything else

  auto loc = resolve_location(s, opts.location, opts.data_root, std::string(), !opts.dry_run);
  const std::string root = canonical_path(loc.root);

  // Read every row first: one record per file (the latest row wins).
  std::vector<storage::SiteDbRow> rows;
  std::int64_t n_rows = storage::read_site_db(source, filter, [&](const storage::SiteDbRow& r) { rows.push_back(r); });
  if (opts.limit && static_cast<std::int64_t>(rows.size()) > *opts.limit) {
    rows.resize(static_cast<std::size_t>(*opts.limit));
    n_rows = *opts.limit;
  }
  std::unordered_map<std::string, std::size_t> by_rel;
  std::vector<std::pair<std::string, std::size_t>> order;
  std::vector<Item> unmappable;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    // Normalised: one file is one key however its FileName is spelled; an escape is never a path.
    MappedPath mapped = map_site_file_name(rows[i].id, rows[i].file_name);
    std::string rel = std::move(mapped.rel);
    if (rel.empty()) {
      Item it;
      it.rel = rows[i].file_name;
      Classified c;
      c.outcome = mapped.escapes ? Outcome::failed : Outcome::skipped;  // failed: no record (empty uid)
      c.reason = std::move(mapped.reason);
      c.detail = std::move(mapped.detail);
      it.pre = std::move(c);
      unmappable.push_back(std::move(it));
      continue;
    }
    auto [it, fresh] = by_rel.emplace(rel, i);
    if (fresh)
      order.emplace_back(rel, i);
    else
      it->second = i;
  }
  storage::Snapshot snapshot;
  if (loc.id >= 0) snapshot = s.ingest().writer(loc.id, opts.storage)->load_snapshot();
  std::atomic<std::int64_t> missing_locally{0};
  auto produce = [&](storage::Snapshot& snap, Counters& k, const std::function<bool(Item&&)>& emit) {
    for (auto& u : unmappable) {
      ++k.found;
      if (!emit(std::move(u))) return;
    }
    for (const auto& [rel, first] : order) {
      ++k.found;
      const auto& row = rows[by_rel[rel]];
      std::string abs = root + "/" + rel;
      struct stat st;
      FileStat fst;
      bool available = ::stat(abs.c_str(), &st) == 0 && S_ISREG(st.st_mode);
      if (available) {
        fst.size = static_cast<std::int64_t>(st.st_size);
        fst.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec;
      } else {
        ++missing_locally;
      }
      bool known = false;
      std::int64_t id = -1;
      if (auto it = snap.find(rel); it != snap.end()) {
        known = true;
        id = it->second.id;
        it->second.seen = true;
        bool same = !opts.reingest_existing &&
                    (opts.skip_existing || (available ? is_unchanged(it->second, fst, false, rel) : !it->second.available));
        if (same) {
          ++k.unchanged;
          continue;
        }
      }
      Item item;
      item.rel = rel;
      item.st = fst;
      item.known = known;
      item.source_id = id;
      item.pre = classify_site_row(row, rel, fst, available, opts.fallback_master);
      if (!emit(std::move(item))) return;
    }
  };
  IngestOptions o;
  o.location = opts.location;
  o.dry_run = opts.dry_run;
  o.read_headers = false;
  o.jobs = 1;
  o.batch_size = opts.batch_size;
  o.progress = opts.progress;
  o.storage = opts.storage;
  auto sum = run_ingest(t0, s, loc, o, "", produce, snapshot);
  sum.root = source;
  sum.from_site_db = true;
  sum.site_rows = n_rows;
  sum.missing_locally = missing_locally;
  if (loc.id >= 0 && !opts.dry_run) {
    auto repo = s.ingest().writer(loc.id, opts.storage);
    log_run(repo.get(), sum, source);
  }
  return sum;
}

// ---- scan ------------------------------------------------------------------

nlohmann::json to_json(const ScanReport& r) {
  nlohmann::json j{{"root", r.root},
                   {"scanned", r.scanned},
                   {"recognised", r.recognised},
                   {"skipped", r.skipped},
                   {"failed", r.failed},
                   {"flagged", r.flagged},
                   {"raw_obs", r.raw_obs},
                   {"per_interface", r.per_interface},
                   {"per_kind", r.per_kind},
                   {"per_master", r.per_master},
                   {"skipped_reasons", r.skipped_reasons},
                   {"failed_reasons", r.failed_reasons},
                   {"elapsed_s", r.elapsed_s}};
  nlohmann::json rej = nlohmann::json::array();
  for (const auto& x : r.rejections) rej.push_back({{"path", x.path}, {"reason", x.reason}, {"detail", x.detail}});
  j["rejections"] = rej;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : r.files)
    files.push_back({{"path", f.path},
                     {"uid", f.uid},
                     {"interface", f.interface},
                     {"data_kind", f.data_kind},
                     {"data_kind_names", data_kind_names(f.data_kind)},
                     {"kinds", data_kind_list(f.data_kind)},
                     {"is_raw", f.is_raw},
                     {"problem", f.problem}});
  j["files"] = files;
  return j;
}

ScanReport scan_directory(const std::string& root, const ScanOptions& opts) {
  auto t0 = Clock::now();
  ScanReport rep;
  rep.root = canonical_path(root);
  const std::string root_abs = rep.root;
  WalkOptions wopts{opts.pattern, opts.recursive};
  Counters k;
  std::unordered_set<std::string> raw_uids;
  std::int64_t decided = 0;
  detail::PipelineSpec<Item, Done> spec;
  spec.jobs = default_jobs(opts.jobs);
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
    for (auto& d : chunk) {
      ++decided;
      const auto& c = d.c;
      if (c.outcome == Outcome::skipped || c.outcome == Outcome::failed) {
        auto& reasons = c.outcome == Outcome::skipped ? rep.skipped_reasons : rep.failed_reasons;
        ++reasons[c.reason];
        ++(c.outcome == Outcome::skipped ? rep.skipped : rep.failed);
        if (rep.rejections.size() < opts.max_rejections) rep.rejections.push_back({d.rel, c.reason, c.detail});
        if (c.outcome == Outcome::skipped) continue;
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
  detail::run_pipeline(spec);
  rep.scanned = decided;
  rep.raw_obs = static_cast<std::int64_t>(raw_uids.size());
  std::sort(rep.files.begin(), rep.files.end(), [](const ScanFile& a, const ScanFile& b) { return a.path < b.path; });
  std::sort(rep.rejections.begin(), rep.rejections.end(),
            [](const ScanRejection& a, const ScanRejection& b) { return a.path < b.path; });
  rep.elapsed_s = seconds_since(t0);
  return rep;
}

}  // namespace tolteca::ingest
