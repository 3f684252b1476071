#pragma once
// The DuckDB IngestWriter (storage/ingest_store.h): every SQL statement
// ingestion needs. Signatures carry no SQL and no DuckDB types. One writer: the ingest pipeline's writer thread.
//
// A batch of file records is written in one transaction: the rows go through
// the DuckDB appender into temp staging tables, then set-based statements
// create missing products, upsert sources, recompute the affected raw
// observations' data_kind / obs_start_time (bumping ingest_seq), link reduced
// observations to their raw observation, and recompute telescope metadata for
// the affected tcs obsnums. Everything is derived from the stored sources, so
// the result does not depend on ingest order or batch boundaries.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/duckdb/session.h"
#include "storage/ingest_store.h"
#include "model/data_kind.h"
#include "model/time.h"

namespace tolteca::storage::duckdb {

// The records (storage/ingest_records.h), under the names the backend uses.
using storage::BatchOutcome;
using storage::EventRecord;
using storage::FileRecord;
using storage::Snapshot;
using storage::SnapshotEntry;
using storage::tel_origin_rank;
using storage::TelMetaRecord;

// The location's snapshot read on a connection of its own, so that it can be
// loaded on one thread while another walks the tree (the session's connection
// must not be used concurrently).
Snapshot load_snapshot_own_connection(Session& s, std::int64_t location_id, std::string_view prefix,
                                      bool trace = false);

class IngestRepo : public storage::IngestWriter {
 public:
  IngestRepo(Session& s, std::int64_t location_id, const storage::IngestOptions& options = {});
  ~IngestRepo() override;
  IngestRepo(const IngestRepo&) = delete;
  IngestRepo& operator=(const IngestRepo&) = delete;

  // Sources of the location whose rel_path starts with prefix ("" = all).
  Snapshot load_snapshot(std::string_view prefix = "") override;
  // The entries of these paths only (for a handful of files).
  Snapshot load_snapshot_for(const std::vector<std::string>& rel_paths) override;

  // One transaction. Records must have distinct rel_paths; a record without
  // source_id must be new at this location (the caller checked the snapshot).
  BatchOutcome write_batch(const std::vector<FileRecord>& files, const std::vector<EventRecord>& events) override;
  // Marks these sources missing (one transaction) and bumps their raw observations.
  BatchOutcome mark_missing(const std::vector<std::string>& rel_paths, const std::vector<EventRecord>& events) override;
  // Catalogue rows (tel-csv): upsert and recompute the affected obsnums.
  BatchOutcome apply_tel_meta(const std::vector<TelMetaRecord>& rows, const std::vector<EventRecord>& events) override;
  void add_events(const std::vector<EventRecord>& events) override;
  // subject + '\n' + message of every event of this kind (to log a repeated per-file skip only once).
  std::unordered_set<std::string> event_keys(const std::string& kind) override;

  // How many of these raw observation uids exist (dry-run reports).
  std::int64_t count_existing_raw_obs(const std::vector<std::string>& uids) override;
  // How many of these obsnums have no tcs raw observation (tel-csv reports).
  std::int64_t count_unmatched_tcs_obsnums(const std::vector<std::int64_t>& obsnums) override;

 private:
  void ensure_stage();
  void insert_events(const std::vector<EventRecord>& events);
  std::vector<std::string> recompute_tel(bool from_tel_stage, bool from_file_stage);

  // write_batch()'s steps (ingest_batch.cpp), in order; each named as the trace line it times.
  struct Batch;                            // one batch's products, flags and outcome
  void stage_products(Batch& b);           // "stage products": ingest_products, ingest_tel_stage
  void upsert_products(Batch& b);          // "upsert products": create / extend, learn product ids
  void append_sources(Batch& b);           // "append sources": new files; changed ones to ingest_updates
  void update_sources(Batch& b);           // "update sources": the changed files' rows
  void recompute_products(Batch& b);       // "recompute products": products with changed files
  void refresh_summaries(Batch& b);        // "file summaries": the batch's products (file_summary.h)
  void link_edges_and_tel(Batch& b);       // "edges + tel": reduced -> raw edges, telescope metadata
  Session& s_;
  std::int64_t location_id_;
  storage::IngestOptions options_;
  bool stage_ready_ = false;
  std::optional<std::int64_t> saved_threads_;
};

}  // namespace tolteca::storage::duckdb
