#pragma once
// Internal to ingest: the pieces every ingest command shares (ingest directory / files / toltec-db and
// scan). A producer (the walk, the given paths, the site rows) emits Items; the worker pool
// (pipeline.h) turns each into a Done by work_item(); the Writer, on the calling thread, tallies the
// outcomes into the IngestSummary and writes them in batches; run_ingest() wires the three together,
// prunes, and finishes the summary.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "ingest/classify.h"
#include "ingest/ingest.h"
#include "storage/ingest_store.h"

namespace tolteca::ingest::detail {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// One file the producer hands to the workers.
struct Item {
  std::string rel;  // relative to the data root
  FileStat st;
  bool known = false;      // in the database already (=> updated)
  bool unchanged = false;  // only pushed when files are collected
  std::string error;       // stat failed
  std::optional<Classified> pre;  // already classified (site database rows)
  std::int64_t source_id = -1;    // the sources row when known
};

// One file as a worker decided it.
struct Done {
  Classified c;
  std::string rel;
  bool known = false;
  bool unchanged = false;
};

// What the producer counts (read by the progress ticks on the consumer thread).
struct Counters {
  std::atomic<std::int64_t> found{0};
  std::atomic<std::int64_t> unchanged{0};  // decided by the walker
  std::atomic<bool> walk_done{false};
  std::vector<std::string> unreadable;  // walk errors (relative to the data root); written by the producer only
};

// "toltec3_018341_000_0000_2024_…" -> "018341_000_0000_2024_…": the name from its first number on,
// so that the files of one observation sort together whatever their network.
std::string_view observation_sort_key(std::string_view rel);

// True when the stored entry says the file is as it was (no need to re-read).
// Headers wanted: a .nc file recorded from its name only is read once.
bool is_unchanged(const storage::SnapshotEntry& e, const FileStat& st, bool read_headers, std::string_view rel);

// The worker's job: classify one item (reading its header when asked and not unchanged).
Done work_item(Item& it, const std::string& data_root, bool read_headers,
               const std::function<void(const std::string&)>& before_read = {},
               std::optional<Master> fallback_master = std::nullopt);

// The writer: tallies outcomes into the summary, batches records, commits (repo null or a dry run:
// nothing is written).
class Writer {
 public:
  Writer(storage::IngestWriter* repo, const IngestOptions& opts, IngestSummary& sum, Clock::time_point t0)
      : repo_(repo), opts_(opts), sum_(sum), t0_(t0), last_flush_(Clock::now()) {}

  // Takes a chunk of decided files; writes a batch once batch_size records wait.
  void consume(std::vector<Done>& chunk);
  // Periodic: writes what waits after batch_seconds, reports progress.
  void tick(const Progress& p);
  // Writes what waits (records and events) as one batch.
  void flush();
  // Raw observations changed outside the batches (pruning).
  void add_changed(const std::vector<std::string>& uids) { changed_.insert(uids.begin(), uids.end()); }
  // The summary's obsnum ranges, nights and raw observation counts.
  void finish_counts();
  std::int64_t decided() const { return decided_; }

 private:
  void take(Done& d);
  void take_skipped(Done& d, FileOutcome& fo);
  // false: a failed file with nothing to record.
  bool take_failed(Done& d, FileOutcome& fo);
  void note_added(const storage::FileRecord& r);
  bool first_time_skipped(const std::string& rel, const std::string& message);
  bool note_problem(const std::string& rel, const char* status, const std::string& reason);

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

// The producer of an ingest run: emits every item (emit returns false when the run is stopping), may
// mark snapshot entries seen and counts into the Counters.
using Produce = std::function<void(storage::Snapshot&, Counters&, const std::function<bool(Item&&)>&)>;

// One ingest run into a resolved location: the pipeline, the final batch, the prune step (opts.prune;
// `prefix` is the walked directory relative to the data root, "" or ending in '/'), the summary.
IngestSummary run_ingest(Clock::time_point t0, storage::Registry& s, const ResolvedLocation& loc,
                         const IngestOptions& opts, const std::string& prefix, const Produce& produce,
                         storage::Snapshot& snapshot);

// The run's "ingest" event (not in dry runs, not without a location).
// The one event of a mark_missing write: subject, message, and {"count", "first": the first 100 paths}.
storage::EventRecord missing_event(const std::string& kind, const std::string& subject, const std::string& message,
                                   const std::vector<std::string>& gone);

void log_run(storage::Registry& s, const ResolvedLocation& loc, const storage::IngestOptions& storage_options,
             const IngestSummary& sum, const std::string& subject);

}  // namespace tolteca::ingest::detail
