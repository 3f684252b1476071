#pragma once
// Writes a SQLite extract of the TolTEC site file database ("toltec db"): tables toltec, master,
// obstype, with the columns of the site's MySQL database (see the domain spec). Used by the simulator.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "files/output_file.h"

namespace tolteca::sim {

struct SiteDbFile {
  std::string date;  // "YYYY-MM-DD" (UT)
  std::string time;  // "HH:MM:SS" (UT)
  int roach = 0;
  std::string host;
  int obs_type = 0;
  int master = 0;  // 0 tcs, 1 ics, 2 clip
  int repeat_level = 0;
  std::int64_t obsnum = 0;
  int subobsnum = 0, scannum = 0;
  std::int64_t cal_obsnum = 0;
  int cal_subobsnum = 0, cal_scannum = 0;
  std::string file_name;  // absolute, e.g. /data_lmt/toltec/ics/toltec8/toltec8_…_vnasweep.nc
  int valid = 1;
};

// Creates (replacing any existing file) the SQLite database at `path` and fills it in one transaction.
// Throws tolteca::UserError naming the path when it cannot be written.
void write_site_db(const std::string& path, const std::vector<SiteDbFile>& rows);

// The site database as the instruments fill it during a night (simulate --live): created empty (the
// tables, no rows) under a temporary name and renamed into place, then opened in WAL mode so that a
// reader polling it is never blocked; each add() and set_valid() is its own committed transaction.
// Throws tolteca::UserError naming the path.
class LiveSiteDb {
 public:
  // `temp_path` is written first and renamed to `path` (files::OutputFile does both).
  explicit LiveSiteDb(files::OutputFile& output);
  ~LiveSiteDb();
  LiveSiteDb(const LiveSiteDb&) = delete;
  LiveSiteDb& operator=(const LiveSiteDb&) = delete;
  // Inserts the row as given (its Valid as the caller sets it); returns its id.
  std::int64_t add(const SiteDbFile& row);
  void set_valid(std::int64_t id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tolteca::sim
