#pragma once
// The LMT metadata catalogue CSV: one row per telescope file. Columns (by name,
// units in brackets ignored, any order): ObsNum ("93026.0.1" =
// obsnum.subobsnum.scannum), Date/Time [UT], SourceName, ObsGoal, ProjectId,
// ObsPgm, IntegrationTime, MainTime, RefTime, Az [deg], El [deg],
// UserAzOffset ["], UserElOffset ["], PaddleAzOffset ["], PaddleElOffset ["],
// M1Zernike0..6 [micron], M2XOffset/M2YOffset/M2ZOffset [mm], Tau, CraneInBeam,
// FileName, Valid. Only ObsNum is required. Malformed rows are reported with
// their line number and skipped.
//
// Every data row is accounted for (tests/ingest/tel_csv_resync_test.cpp checks it under random damage):
//   data_rows == rows.size() + malformed.size()          (parse)
//   data_rows == applied + invalid + duplicates + malformed  (TelCsvReport)
// A data row is a non-blank record after the header. The catalogue has no multi-line fields, so a
// quoted field that runs past the end of its line (a stray quote, e.g. `"3C 273,`) is accepted as a
// multi-line field only when the record it makes is a good row (the header's number of columns, every
// value valid, nothing but a delimiter after a closing quote); otherwise that one line is reported
// malformed and parsing resumes at the next line. Parsing works on the whole file
// in memory, one pass, no per-row allocation once warm.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/ingest_store.h"
#include "storage/registry.h"
#include "model/time.h"

namespace tolteca::ingest {

struct TelCsvRow {
  std::int64_t line = 0;  // 1-based line where the row starts
  std::int64_t lines = 1;  // physical lines it spans (1 unless a quoted field holds a newline)
  storage::TelMetaRecord meta;  // origin "csv"
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
  std::int64_t data_rows = 0;  // = rows.size() + malformed.size()
};

// Throws UserError (naming `source`) when the header row has no ObsNum column.
TelCsvParse parse_tel_csv(std::istream& in, const std::string& source);
TelCsvParse parse_tel_csv_text(std::string_view text, const std::string& source);
TelCsvParse read_tel_csv(const std::string& path);

struct TelCsvReport {
  std::string path;
  std::int64_t data_rows = 0;  // = applied + invalid + duplicates + malformed
  std::int64_t rows = 0;       // well-formed data rows (= applied + invalid + duplicates)
  std::int64_t applied = 0;    // rows stored (one per quartet)
  std::int64_t invalid = 0;    // Valid = 0, skipped (unless include_invalid)
  std::int64_t duplicates = 0;  // superseded by a later row of the same quartet (the last one wins)
  std::int64_t malformed = 0;
  std::int64_t raw_obs_updated = 0;  // raw observations whose telescope columns changed
  std::int64_t unmatched_obsnums = 0;  // obsnums with no tcs raw observation (yet)
  std::vector<TelCsvProblem> problems;
  bool dry_run = false;
  double elapsed_s = 0;
};

TelCsvReport ingest_tel_csv(storage::Registry& s, const std::string& path, bool include_invalid, bool dry_run);

}  // namespace tolteca::ingest
