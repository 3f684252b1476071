#pragma once
// Ingest writes: what ingestion records in a registry. One writer at a time
// (the registry's single-writer lock, storage/options.h); within a process the
// ingest pipeline's writer thread is the only caller of an IngestWriter.
//
// Transactions: every write operation below is ONE transaction: it commits
// whole or, on any error, leaves the registry as it was (nothing of the
// batch recorded) and throws.
//
// Bulk append: write_batch takes a whole batch (typically thousands of files)
// so a backend can stream it in bulk (DuckDB: the appender into temp staging
// tables; PostgreSQL: COPY FROM STDIN into temp tables), then derive products,
// observations and telescope metadata with set-based statements. Everything
// derived is recomputed from the stored file rows, so the result does not
// depend on ingest order or batch boundaries.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "storage/ingest_records.h"
#include "storage/options.h"

namespace tolteca::storage {

// The writes of one location (LocationStore gives the id; 0 for writes that
// concern no location, e.g. the telescope catalogue).
class IngestWriter {
 public:
  virtual ~IngestWriter() = default;

  // Reads: the file rows of the location whose rel_path starts with prefix
  // ("" = all). No transaction of its own (a consistent read).
  virtual Snapshot load_snapshot(std::string_view prefix = "") = 0;
  // Reads: the entries of these rel_paths only (for a handful of files).
  virtual Snapshot load_snapshot_for(const std::vector<std::string>& rel_paths) = 0;

  // Writes (one transaction): the files (inserted, or updated where source_id
  // is set), their products and raw observations (created, data_kind /
  // start time recomputed, ingest_seq bumped when they changed), reduced ->
  // raw links, telescope metadata of the affected tcs obsnums, and the
  // events. Records must have distinct rel_paths; a record without source_id
  // must be new at this location (the caller checked the snapshot).
  // Throws on a backend error (nothing written).
  virtual BatchOutcome write_batch(const std::vector<FileRecord>& files, const std::vector<EventRecord>& events) = 0;

  // Writes (one transaction): marks these files of the location missing,
  // bumps their raw observations, records the events.
  virtual BatchOutcome mark_missing(const std::vector<std::string>& rel_paths,
                                    const std::vector<EventRecord>& events) = 0;

  // Writes (one transaction): upserts catalogue rows (tel-csv, origin "csv")
  // and recomputes telescope metadata of the affected obsnums.
  virtual BatchOutcome apply_tel_meta(const std::vector<TelMetaRecord>& rows,
                                      const std::vector<EventRecord>& events) = 0;

  // Writes (one transaction): the events only.
  virtual void add_events(const std::vector<EventRecord>& events) = 0;

  // Reads: subject + '\n' + message of every event of this kind (to log a
  // repeated per-file skip only once).
  virtual std::unordered_set<std::string> event_keys(const std::string& kind) = 0;

  // Reads: how many of these raw observation uids exist (dry-run reports).
  virtual std::int64_t count_existing_raw_obs(const std::vector<std::string>& uids) = 0;
  // Reads: how many of these obsnums have no tcs raw observation (tel-csv reports).
  virtual std::int64_t count_unmatched_tcs_obsnums(const std::vector<std::int64_t>& obsnums) = 0;
};

class IngestStore {
 public:
  virtual ~IngestStore() = default;

  // A writer for the location (see IngestWriter). The registry must be open
  // for writing, except for the read operations. options: tracing and the
  // backend's threads while the writer lives (restored when it is destroyed).
  virtual std::unique_ptr<IngestWriter> writer(std::int64_t location_id, const IngestOptions& options = {}) = 0;

  // Reads the location's snapshot on a connection of its own, so it can run on
  // another thread while this thread uses the registry (e.g. walks the tree).
  // The only operation of a Registry that may run concurrently with others.
  virtual Snapshot load_snapshot_concurrently(std::int64_t location_id, std::string_view prefix) = 0;
};

}  // namespace tolteca::storage
