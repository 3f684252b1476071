#pragma once
// `serve --watch-site-db SOURCE`: the site file database, polled. Each poll records the rows that
// became valid (Valid 0 -> 1) or changed since the last one (ingest_toltec_db: facts from the rows,
// unchanged files skipped), as the original tool's orchestration sensor did; the watcher then runs
// the association generation when something was recorded.
#include <chrono>
#include <cstdint>
#include <string>

#include "ingest/ingest.h"
#include "storage/registry.h"
#include "watch/file_tracker.h"

namespace tolteca::watch {

struct SiteDbWatchOptions {
  std::string source;     // SQLite file or sqlite:///path (mysql:// once the server databases land)
  std::string location;   // label ("" : the only location, or a new one with data_root)
  std::string data_root;  // where the site's /data_lmt/… paths are found locally
  double poll_seconds = 2;
};

class SiteDbWatch {
 public:
  explicit SiteDbWatch(SiteDbWatchOptions options) : options_(std::move(options)) {}
  bool due(Clock::time_point now) const { return now >= next_; }
  // One poll: records what changed. Returns the summary (the caller counts and logs it).
  ingest::IngestSummary poll(storage::Registry& registry, Clock::time_point now);
  // After a failed poll: the next one in a full interval.
  void poll_later(Clock::time_point now) {
    next_ = after(now, options_.poll_seconds);
  }
  const SiteDbWatchOptions& options() const { return options_; }

 private:
  SiteDbWatchOptions options_;
  Clock::time_point next_{};
};

}  // namespace tolteca::watch
