#pragma once
// `serve --watch-site-db SOURCE`: the site file database, polled. Each poll records the rows that
// became valid (Valid 0 -> 1) or changed since the last one (ingest_toltec_db: facts from the rows,
// unchanged files skipped), as the original tool's orchestration sensor did; the watcher then runs
// the association generation when something was recorded.
//
// A poll does not re-read years of rows: it reads from a watermark, the lowest id still open (a row
// with Valid = 0 first seen less than `open_seconds` ago: a file being written) or else the id after
// the highest seen. A row open for longer (a file that never completed) no longer holds the
// watermark back; a full pass every `full_pass_seconds` (and the first poll) reads every row, so an
// old row that turns valid or is edited late is still recorded.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "ingest/ingest.h"
#include "storage/registry.h"
#include "watch/file_tracker.h"

namespace tolteca::watch {

struct SiteDbWatchOptions {
  std::string source;     // SQLite file, sqlite:///path or mysql://… (storage/site_db.h)
  std::string location;   // label ("" : the only location, or a new one with data_root)
  std::string data_root;  // where the site's /data_lmt/… paths are found locally
  double poll_seconds = 2;
  double open_seconds = 600;       // how long a Valid = 0 row holds the watermark
  double full_pass_seconds = 600;  // how often every row is read again
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
  // The first id the next poll reads (0: every row).
  std::int64_t next_from_id(Clock::time_point now) const { return now >= next_full_ ? 0 : watermark_; }
  std::int64_t full_passes() const { return full_passes_; }

 private:
  // Reads the ids and Valid of the rows from `from` on; moves the watermark.
  void advance_watermark(std::int64_t from, Clock::time_point now);

  SiteDbWatchOptions options_;
  Clock::time_point next_{}, next_full_{};
  std::int64_t watermark_ = 0, full_passes_ = 0;
  std::map<std::int64_t, Clock::time_point> open_;  // id of a Valid = 0 row -> when first seen so
};

}  // namespace tolteca::watch
