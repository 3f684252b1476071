#pragma once
// The data watcher of `serve --watch`: registers files as the instruments finish writing them, knows
// which raw observations are still coming in, and keeps the associations current.
//
//   the site database's rows turn valid --(polled: watch/site_db_watch.h)--> ingest_toltec_db --> assoc
//   files appear/grow/vanish --(inotify or polling: watch/tree_sources.h)--> FileTracker (settle)
//     --> ingest_files (ready files) / mark_files_missing (deleted ones), one write at a time
//     --> CompletionTracker (which observations are whole) --> assoc::generate, incremental
//
// Nothing is missed: at the start, when a root appears late, and after an inotify queue overflow, a
// catch-up ingests the whole root (ingest_directory with --prune: what changed while nobody
// watched is read, what vanished is marked missing). The registry is opened for each batch only, so
// the CLI's and the API's writes take their turns between batches.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/registry.h"
#include "watch/completion.h"
#include "watch/site_db_watch.h"

namespace tolteca::watch {

struct WatchOptions {
  std::vector<std::string> roots;  // data roots (absolute), each a location's
  std::string location;            // label for a single root; empty: the location of that root, or a new one
  // > 0: poll every so often (every root). 0: inotify, and polling every kAutoPollSeconds on roots
  // where inotify cannot see other hosts' writes (watch/tree_sources.h needs_polling).
  double poll_seconds = 0;
  double settle_file_seconds = 2;  // a file is read once its size and mtime held this long
  CompletionOptions completion;
  bool associations = true;  // run the incremental association generation after completions
  int jobs = 0;              // ingest worker threads (0: the cores)
  std::size_t max_inotify_dirs = 0;  // > 0: at most so many directories watched by inotify, then polling
  // The site file database, polled (watch/site_db_watch.h): empty source = none. Its location and
  // data root default to the one watched root's.
  SiteDbWatchOptions site_db;
};
inline constexpr double kAutoPollSeconds = 5;

// A write handle on the registry, for one batch.
using OpenWriter = std::function<std::unique_ptr<storage::Registry>()>;
// A line for the log (a JSON object with "event").
using WatchLog = std::function<void(const nlohmann::json&)>;

class Watcher {
 public:
  Watcher(WatchOptions options, OpenWriter open, WatchLog log);
  ~Watcher();
  // Watches until stop(). Errors of one batch are logged and counted; the watcher goes on.
  void run();
  void stop();  // thread-safe
  // Thread-safe: roots and their modes, files pending, observations incomplete, last event, lag, counts.
  nlohmann::json status() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tolteca::watch
