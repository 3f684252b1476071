#pragma once
// Fixtures: direct writes of raw observations and their file rows, the way
// ingest would leave them, without reading any file. For synthetic registries
// (tests, benchmarks: src/sim/synthetic.h) only; the CLI never calls this.
// A backend implements it with its bulk path (DuckDB: appenders; PostgreSQL:
// COPY FROM STDIN).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/data_kind.h"
#include "model/quartet.h"

namespace tolteca::storage {

// One file row of a fixture observation (a sources row).
struct FixtureFile {
  // The file's path under its location. Every "{id}" is replaced by the file
  // row's id, which keeps rel_paths distinct across writes.
  std::string rel_path;
  std::string interface;       // "toltec3", "tel_toltec"
  std::optional<int> roach;    // network number; none for telescope files
  DataKindBits kind = 0;
  std::int64_t file_time = 0;  // microseconds since the epoch
  // The TargSweep pointer the file carries (cal_obsnum, cal_subobsnum, cal_scannum).
  struct Pointer {
    std::int64_t obsnum = 0;
    std::int32_t subobsnum = 0, scannum = 0;
  };
  std::optional<Pointer> pointer;
};

struct FixtureObs {
  Quartet q;
  DataKindBits kind = 0;        // the observation's data_kind
  std::int64_t start_time = 0;  // microseconds since the epoch
  std::string obs_goal;         // "" = none
  std::vector<FixtureFile> files;
};

struct FixtureWriteResult {
  std::int64_t created = 0, updated = 0, sources = 0;
};

class FixtureStore {
 public:
  virtual ~FixtureStore() = default;

  // Writes (one transaction): creates each raw observation (uid = its
  // quartet), or when its uid exists updates it (kind, start time, goal
  // replaced); both take a fresh ingest_seq, in the order given (a uid given
  // twice is created, then updated). Its files become available file rows of
  // location_id (which must exist when any observation has files).
  virtual FixtureWriteResult write_raw_obs(std::int64_t location_id, const std::vector<FixtureObs>& obs) = 0;

  // Writes (one transaction): deletes the raw observations with these uids,
  // their file rows and every edge touching them. Returns the observations deleted.
  virtual std::int64_t delete_raw_obs(const std::vector<std::string>& uids) = 0;

  // Writes (one transaction): empties the registry (products, file rows,
  // edges, events, association state), keeping schema and locations.
  virtual void clear() = 0;

  // Writes (one transaction): removes what the association engine made: the
  // engine's four group types, their edges, the cal-obs edges and the
  // association state (named groups stay).
  virtual void delete_associations() = 0;
};

}  // namespace tolteca::storage
