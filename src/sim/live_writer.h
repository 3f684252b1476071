#pragma once
// `simulate OUT --live`: writes a planned archive (simulator.h) in (accelerated) real time, as the
// instruments write it during a night, for the watcher's tests, the demo and the benchmarks.
//
// Time: the plan's clock (unix seconds of the observations) runs `speed` times faster than the wall
// clock, from the first file's time on; a gap of a day between nights is a day / speed.
// Each file is written as it is recorded:
// - a network or hwpr file is created when its observation starts and grows in chunks, one per plan
//   second at most, until the observation ends; each network finishes a little after the end, at its
//   own delay (up to 2.4 plan seconds, by roach), so networks finish at different times;
// - a network file's current-file link (toltecN.nc beside it, a symbolic link) is pointed at it when
//   it starts (replaced atomically: a new link renamed over the old one);
// - with --toltec-db, its row in the site file database is inserted with Valid = 0 when the file
//   starts and set to Valid = 1 when it is complete (never for a truncated or zero-byte bad file);
//   the database exists (empty) from the start and is in WAL mode, so readers are not blocked;
// - a telescope file grows over its integration time; a reduction product appears after its
//   observation; a file without a time (the non-TolTEC bad file) at the time of the file before it.
// Whatever drops out of the plan (--drop-network) is simply never written. The finished tree holds
// exactly the files write_archive() writes (same bytes) plus the current-file links; the catalogue is
// written at the end.
#include <cstdint>
#include <functional>
#include <string>

#include "model/time.h"
#include "sim/simulator.h"

namespace tolteca::sim {

struct LiveProgress {
  std::int64_t files_done = 0;   // files complete
  std::int64_t files_total = 0;  // files in the plan
  std::int64_t files_open = 0;   // files being written now
  UnixMicros plan_time = 0;      // the plan's clock
  double elapsed_s = 0;          // wall seconds since the start
};

struct LiveOptions {
  double speed = 1;  // plan seconds per wall second (> 0)
  // Called after each file completes (the caller throttles what it prints).
  std::function<void(const LiveProgress&)> progress;
  // Asked before each step: true ends the run there (files half written stay as they are; the
  // catalogue is not written). Empty: never.
  std::function<bool()> stop;
};

// Checks the output as write_archive() does, then writes the plan live. Throws UserError.
WriteStats write_archive_live(const SimPlan& plan, const std::string& out_dir, bool force, const LiveOptions& live);

}  // namespace tolteca::sim
