#pragma once
// The records ingestion hands to the registry (storage/ingest_store.h): one
// file, its telescope metadata, an event; what the registry knows of a
// location's files (the snapshot a re-scan compares against); and what a batch
// changed. Plain data, no backend types.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/data_kind.h"
#include "model/time.h"

namespace tolteca::storage {

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

struct BatchOutcome {
  std::vector<std::string> created;  // raw observation uids created
  std::vector<std::string> changed;  // raw observation uids whose ingest_seq was bumped
};

}  // namespace tolteca::storage
