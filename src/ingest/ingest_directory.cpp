// ingest directory / ingest file (ingest.h): what is walked or given becomes the run's items (run.h).
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <future>
#include <set>

#include "ingest/data_root.h"
#include "ingest/ingest.h"
#include "ingest/prune_guard.h"
#include "ingest/run.h"
#include "ingest/walk.h"
#include "model/error.h"
#include "storage/registry.h"

namespace fs = std::filesystem;

namespace tolteca::ingest {

using namespace detail;

namespace {

// One walked entry.
struct Walked {
  std::string rel;  // relative to the data root
  FileStat st;
  std::string error;
};

// The tree under root_abs (prefix: root_abs relative to the data root, "" or ending in '/'); walk
// errors are entries too, and unreadable directories are noted in k.unreadable.
std::vector<Walked> walk_root(const std::string& root_abs, const WalkOptions& wopts, const std::string& prefix,
                              Counters& k) {
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
  return walked;
}

// Unchanged files stop here (counted, marked seen); the others become items.
std::vector<Item> items_to_read(std::vector<Walked>& walked, storage::Snapshot& snap, Counters& k,
                                bool skip_existing, bool headers) {
  std::vector<Item> todo;
  for (auto& w : walked) {
    bool known = false;
    std::int64_t id = -1;
    if (auto it = snap.find(w.rel); it != snap.end()) {
      known = true;
      id = it->second.id;
      it->second.seen = true;  // present (even when unreadable)
      if (w.error.empty() && (skip_existing || is_unchanged(it->second, w.st, headers, w.rel))) {
        ++k.unchanged;
        continue;
      }
    }
    if (!w.error.empty()) known = false;
    todo.push_back(Item{std::move(w.rel), w.st, known, false, std::move(w.error), std::nullopt, id});
  }
  return todo;
}

// The items in observation order, so that the files of one observation (one per network directory)
// land in the same batch: each raw observation is then created/updated about once instead of once per
// batch (in DuckDB, re-updating the same product rows batch after batch grew superlinearly: 22 s of
// CPU for 1M files).
void emit_in_observation_order(std::vector<Item>& todo, const std::function<bool(Item&&)>& emit) {
  std::vector<std::pair<std::string_view, std::uint32_t>> order;
  order.reserve(todo.size());
  for (std::uint32_t i = 0; i < todo.size(); ++i) order.emplace_back(observation_sort_key(todo[i].rel), i);
  std::sort(order.begin(), order.end());
  for (const auto& [key, i] : order)
    if (!emit(std::move(todo[i]))) return;
}

}  // namespace

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
  const WalkOptions wopts{opts.pattern, opts.recursive};
  auto produce = [&](storage::Snapshot& snap, Counters& k, const std::function<bool(Item&&)>& emit) {
    std::vector<Walked> walked = walk_root(root_abs, wopts, prefix, k);
    if (loading.valid()) snap = loading.get();
    std::vector<Item> todo = items_to_read(walked, snap, k, opts.skip_existing, opts.read_headers);
    walked.clear();
    walked.shrink_to_fit();
    emit_in_observation_order(todo, emit);
  };
  auto sum = run_ingest(t0, s, loc, opts, prefix, produce, snapshot);
  sum.root = root_abs;
  log_run(s, loc, opts.storage, sum, root_abs);
  return sum;
}

namespace {

// The given paths, canonical and without repeats; UserError for one that is not a readable regular file.
std::vector<std::string> given_files(const std::vector<std::string>& paths) {
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
  return abs;
}

// The location must contain every file's directory (as the user named them: symlinks kept).
std::string common_directory(const std::vector<std::string>& paths) {
  std::string dirs;
  for (const auto& p : paths) {
    std::string d = fs::path(absolute_root(p)).parent_path().string();
    dirs = dirs.empty() ? d : common_ancestor(dirs, d);
  }
  return dirs;
}

// The given files, split by the data root: inside (absolute and relative) and outside.
struct GivenFiles {
  std::vector<std::string> abs, rels, outside;
};

// Each path resolved (symlinks, "..", "//") and required to lie under the data root: one outside it
// is a per-file failure (never recorded); when every path is outside, the command is an error.
GivenFiles split_by_root(const std::vector<std::string>& abs, const ResolvedLocation& loc) {
  GivenFiles g;
  for (const auto& a : abs) {
    if (auto r = relative_to(a, canonical_path(loc.root)); r && !r->empty()) {
      g.rels.push_back(*r);
      g.abs.push_back(a);
    } else {
      g.outside.push_back(a);
    }
  }
  if (g.rels.empty())
    throw UserError(fmt::format("{} is not under the data root {} of location {}", g.outside.front(), loc.root,
                                loc.label));
  return g;
}

void produce_given(const GivenFiles& g, const std::string& root, bool headers, storage::Snapshot& snap, Counters& k,
                   const std::function<bool(Item&&)>& emit) {
  for (const auto& a : g.outside) {
    ++k.found;
    Item it;
    it.rel = a;
    it.pre = Classified{Outcome::failed, {}, "path outside the data root",
                        fmt::format("{} is not under the data root {}; not recorded", a, root)};
    if (!emit(std::move(it))) return;
  }
  for (std::size_t i = 0; i < g.abs.size(); ++i) {
    ++k.found;
    struct stat st;
    if (::stat(g.abs[i].c_str(), &st) != 0) {
      emit(Item{g.rels[i], {}, false, false, std::strerror(errno), std::nullopt});
      continue;
    }
    FileStat fst{static_cast<std::int64_t>(st.st_size), mtime_ns(st)};
    auto it = snap.find(g.rels[i]);
    bool known = it != snap.end();
    bool unchanged = known && is_unchanged(it->second, fst, headers, g.rels[i]);
    emit(Item{g.rels[i], fst, known, unchanged, {}, std::nullopt, known ? it->second.id : -1});
  }
}

}  // namespace

IngestSummary ingest_files(storage::Registry& s, const std::vector<std::string>& paths, const IngestOptions& opts) {
  const auto t0 = Clock::now();
  const std::vector<std::string> abs = given_files(paths);
  auto loc = resolve_location(s, opts.location, opts.data_root, common_directory(paths), !opts.dry_run);
  const GivenFiles given = split_by_root(abs, loc);
  storage::Snapshot snapshot;
  if (loc.id >= 0) snapshot = s.ingest().writer(loc.id, opts.storage)->load_snapshot_for(given.rels);
  auto produce = [&](storage::Snapshot& snap, Counters& k, const std::function<bool(Item&&)>& emit) {
    produce_given(given, loc.root, opts.read_headers, snap, k, emit);
  };
  IngestOptions o = opts;
  o.collect_files = true;
  auto sum = run_ingest(t0, s, loc, o, "", produce, snapshot);
  std::sort(sum.files.begin(), sum.files.end(), [](const FileOutcome& a, const FileOutcome& b) { return a.path < b.path; });
  log_run(s, loc, opts.storage, sum, fmt::format("{} file(s)", abs.size()));
  return sum;
}

}  // namespace tolteca::ingest
