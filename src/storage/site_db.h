#pragma once
// Reader of the site file database ("toltec db"): the table
//   toltec(id, Date, Time, RoachIndex, HostName, ObsType, Master, RepeatLevel,
//          ObsNum, SubObsNum, ScanNum, TargSweepObsNum, TargSweepSubObsNum,
//          TargSweepScanNum, FileName, Valid)
// from a SQLite extract. SOURCE is "sqlite:///relative/path", "sqlite:////abs/path"
// or a plain path. (The live MySQL database, mysql://…, is not supported yet.)
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tolteca::storage {

struct SiteDbRow {
  std::int64_t id = 0;
  std::string date;  // "YYYY-MM-DD"
  std::string time;  // "HH:MM:SS"
  std::optional<std::int64_t> roach, obs_type, master, repeat_level;
  std::optional<std::int64_t> obsnum, subobsnum, scannum;
  std::optional<std::int64_t> ts_obsnum, ts_subobsnum, ts_scannum;
  std::string file_name;
  std::optional<std::int64_t> valid;
  // Integer columns holding something that is not exactly an integer ('abc', '12abc', 1.5, 1e300):
  // column name ("SubObsNum") -> "SubObsNum 1.5 is not an integer". The field itself is then nullopt.
  // Range checks against the domain are the caller's (ingest::classify_site_row).
  std::map<std::string, std::string> bad_values;
};

struct SiteDbFilter {
  std::string since;  // "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" (inclusive); empty: no bound
  std::string until;  // same (inclusive; a date covers its whole day)
  std::vector<int> obs_types;  // empty: all
  bool valid_only = true;
  std::int64_t min_id = 0;  // only rows with id >= min_id (0: all)
};

// The SQLite file path of SOURCE; throws UserError for mysql:// or other schemes.
std::string site_db_path(const std::string& source);

// Calls on_row for every matching row, in id order; returns the row count.
// Throws UserError when the file is missing or has no `toltec` table with the expected columns.
std::int64_t read_site_db(const std::string& source, const SiteDbFilter& filter,
                          const std::function<void(const SiteDbRow&)>& on_row);

}  // namespace tolteca::storage
