#pragma once
// Ingest repository: every SQL statement ingestion needs. Signatures carry no
// SQL and no DuckDB types. One writer: the ingest pipeline's writer thread.
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

#include "db/session.h"
#include "model/data_kind.h"
#include "model/time.h"

namespace tolteca::db {

// Telescope metadata of one quartet from one origin.
struct TelMetaRecord {
  std::string master = "tcs";
  std::int64_t obsnum = 0;
  std::int32_t subobsnum = 0;
  std::int32_t scannum = 0;
  std::string origin;  // "tel_toltec" (rank 0), "tel_toltec2" (1), "csv" (2)
  std::optional<std::string> obs_goal, source_name, project_id, obs_pgm;
  std::optional<double> tau, integration_time, az_deg, el_deg;
  std::string extra_json = "{}";  // M1/M2 settings, offsets, crane (JSON object)
};

int tel_origin_rank(std::string_view origin);

// One file as ingestion records it.
struct FileRecord {
  std::string rel_path;      // relative to the location's data root
  std::optional<std::int64_t> source_id;  // the existing sources row (update), or none (insert)
  std::string uid;           // product uid: quartet text, or "reduced:<quartet>"
  bool reduced = false;      // product is a dp_reduced_obs
  std::string master;        // "tcs" | "ics" | "clip"
  std::int64_t obsnum = 0;
  std::int32_t subobsnum = 0;
  std::int32_t scannum = 0;
  std::string interface;     // "toltec7", "hwpr", "tel_toltec", …
  std::optional<std::int32_t> roach;
  DataKindBits data_kind = 0;
  bool is_raw = true;
  std::optional<UnixMicros> file_time;
  std::optional<UnixMicros> obs_start_time;
  std::optional<std::int64_t> size;
  std::optional<std::int64_t> mtime_ns;
  bool available = true;
  std::optional<std::int64_t> cal_obsnum;
  std::optional<std::int32_t> cal_subobsnum, cal_scannum;
  std::optional<std::string> problem;
  std::optional<std::string> header_json;  // NULL: header not read
  std::optional<TelMetaRecord> tel;        // telescope files
};

struct EventRecord {
  std::string kind;  // "ingest", "failed", "skipped", "prune", …
  std::string subject;
  std::string message;
  std::string details_json = "{}";
};

// What the database knows about a file at this location (for re-scans).
struct SnapshotEntry {
  std::int64_t id = 0;         // sources.id
  std::int64_t size = -1;      // -1: unknown
  std::int64_t mtime_ns = -1;  // -1: unknown
  bool available = true;
  bool header_read = false;
  bool seen = false;  // set by the walker
};
using Snapshot = std::unordered_map<std::string, SnapshotEntry>;

// The location's snapshot read on a connection of its own, so that it can be
// loaded on one thread while another walks the tree (the session's connection
// must not be used concurrently).
Snapshot load_snapshot_own_connection(Session& s, std::int64_t location_id, std::string_view prefix);

struct BatchOutcome {
  std::vector<std::string> created;  // raw observation uids created
  std::vector<std::string> changed;  // raw observation uids whose ingest_seq was bumped
};

class IngestRepo {
 public:
  IngestRepo(Session& s, std::int64_t location_id);
  ~IngestRepo();
  IngestRepo(const IngestRepo&) = delete;
  IngestRepo& operator=(const IngestRepo&) = delete;

  // Sources of the location whose rel_path starts with prefix ("" = all).
  Snapshot load_snapshot(std::string_view prefix = "");
  // The entries of these paths only (for a handful of files).
  Snapshot load_snapshot_for(const std::vector<std::string>& rel_paths);

  // One transaction. Records must have distinct rel_paths; a record without
  // source_id must be new at this location (the caller checked the snapshot).
  BatchOutcome write_batch(const std::vector<FileRecord>& files, const std::vector<EventRecord>& events);
  // Marks these sources missing (one transaction) and bumps their raw observations.
  BatchOutcome mark_missing(const std::vector<std::string>& rel_paths, const std::vector<EventRecord>& events);
  // Catalogue rows (tel-csv): upsert and recompute the affected obsnums.
  BatchOutcome apply_tel_meta(const std::vector<TelMetaRecord>& rows, const std::vector<EventRecord>& events);
  void add_events(const std::vector<EventRecord>& events);
  // subject + '\n' + message of every event of this kind (to log a repeated per-file skip only once).
  std::unordered_set<std::string> event_keys(const std::string& kind);

  // How many of these raw observation uids exist (dry-run reports).
  std::int64_t count_existing_raw_obs(const std::vector<std::string>& uids);
  // How many of these obsnums have no tcs raw observation (tel-csv reports).
  std::int64_t count_unmatched_tcs_obsnums(const std::vector<std::int64_t>& obsnums);

 private:
  void ensure_stage();
  void insert_events(const std::vector<EventRecord>& events);
  std::vector<std::string> recompute_tel(bool from_tel_stage, bool from_file_stage);
  Session& s_;
  std::int64_t location_id_;
  bool stage_ready_ = false;
  std::optional<std::int64_t> saved_threads_;
};

}  // namespace tolteca::db
