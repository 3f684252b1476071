#pragma once
// Synthetic raw observations for tests and benchmarks: writes raw-observation
// rows (and optionally their network/telescope file rows with TargSweep
// pointers) into a registry the way ingest would (ingest_seq bumped per
// change), through storage::FixtureStore, and generates realistically shaped
// nights of any size. Not an ingest replacement: no files are read.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/data_kind.h"
#include "model/quartet.h"
#include "storage/registry.h"

namespace tolteca::sim {

struct SyntheticPointer {
  std::int64_t obsnum = 0;
  std::int32_t subobsnum = 0;
  std::int32_t scannum = 0;
  std::vector<int> networks;  // the network files carrying this pointer
};

struct SyntheticObs {
  Quartet q;
  DataKindBits kind = 0;          // union of the files' kinds (LmtTel adds a tel_toltec file row)
  std::int64_t start_time = 0;    // microseconds since the epoch
  std::string obs_goal;           // "" = none (tcs observations carry one)
  std::vector<int> networks;      // networks with a file
  std::vector<SyntheticPointer> pointers;
};

struct SyntheticWriteOptions {
  bool sources = true;  // write file rows (one per network, + tel_toltec)
};

using SyntheticWriteResult = storage::FixtureWriteResult;

// Creates each observation, or when its uid exists updates it (kind, start
// time, goal replaced; its new file rows added, at the location "synthetic"
// rooted at "/synthetic") — both bump ingest_seq. One transaction
// (storage::FixtureStore::write_raw_obs) after the location's upsert.
SyntheticWriteResult write_synthetic(storage::Registry& r, const std::vector<SyntheticObs>& obs,
                                     const SyntheticWriteOptions& options = {});
// Deletes raw observations (and their file rows and edges) by uid.
std::int64_t delete_raw_obs(storage::Registry& r, const std::vector<std::string>& uids);

// Empties the registry (products, sources, edges, events, association state)
// keeping the schema: a fresh database for tests without re-creating one.
void clear_registry(storage::Registry& r);

// Removes what the association engine made (its groups, their edges, the
// cal-obs edges, its state): for benchmarks of a first full generation.
void delete_associations(storage::Registry& r);

struct NightOptions {
  std::uint64_t seed = 1;
  std::int64_t n_obs = 200;                 // exactly this many observations
  std::int64_t start_time = 1731517486000000;  // 2024-11-13T17:04:46Z
  std::int64_t ics_obsnum = 18000;
  std::int64_t tcs_obsnum = 131000;
  int networks = 12;           // networks per observation (some randomly missing)
  bool pointers = true;        // fill TargSweep pointers
  double tie_fraction = 0.02;  // observations starting in the same second as the previous
};

// Sequence of ics blocks (VNA -> target sweep -> tune -> timestream, drive-fit
// series of target sweeps and timestreams, sometimes a VNA series, sometimes
// sweeps before any VNA) interleaved with tcs blocks (per obsnum a tune at scan
// 1 and timestreams at scans 2.., telescope files; pointing, focus and astig
// runs, sometimes broken by a gap, science). Deterministic from the seed.
std::vector<SyntheticObs> synthetic_night(const NightOptions& options);

}  // namespace tolteca::sim
