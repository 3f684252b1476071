#pragma once
// The LMT metadata catalogue CSV: one row per telescope file. Columns (by name,
// units in brackets ignored, any order): ObsNum ("93026.0.1" =
// obsnum.subobsnum.scannum), Date/Time [UT], SourceName, ObsGoal, ProjectId,
// ObsPgm, IntegrationTime, MainTime, RefTime, Az [deg], El [deg],
// UserAzOffset ["], UserElOffset ["], PaddleAzOffset ["], PaddleElOffset ["],
// M1Zernike0..6 [micron], M2XOffset/M2YOffset/M2ZOffset [mm], Tau, CraneInBeam,
// FileName, Valid. Only ObsNum is required. Malformed rows are reported with
// their line number and skipped.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "db/ingest_repo.h"
#include "db/session.h"
#include "model/time.h"

namespace tolteca::ingest {

struct TelCsvRow {
  std::int64_t line = 0;  // 1-based line where the row starts
  db::TelMetaRecord meta;  // origin "csv"
  std::optional<bool> valid;
  std::string file_name;
};

struct TelCsvProblem {
  std::int64_t line = 0;
  std::string reason;
};

struct TelCsvParse {
  std::vector<TelCsvRow> rows;
  std::vector<TelCsvProblem> malformed;
  std::vector<std::string> unknown_columns;  // ignored
};

// Throws UserError (naming `source`) when the header row has no ObsNum column.
TelCsvParse parse_tel_csv(std::istream& in, const std::string& source);
TelCsvParse read_tel_csv(const std::string& path);

struct TelCsvReport {
  std::string path;
  std::int64_t rows = 0;      // data rows read (well-formed)
  std::int64_t applied = 0;   // rows stored
  std::int64_t invalid = 0;   // Valid = 0, skipped (unless include_invalid)
  std::int64_t malformed = 0;
  std::int64_t raw_obs_updated = 0;  // raw observations whose telescope columns changed
  std::int64_t unmatched_obsnums = 0;  // obsnums with no tcs raw observation (yet)
  std::vector<TelCsvProblem> problems;
  bool dry_run = false;
  double elapsed_s = 0;
};

TelCsvReport ingest_tel_csv(db::Session& s, const std::string& path, bool include_invalid, bool dry_run);

}  // namespace tolteca::ingest
