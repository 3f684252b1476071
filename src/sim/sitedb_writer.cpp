#include "sim/sitedb_writer.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>

#include "model/error.h"

namespace tolteca::sim {

namespace {

struct Db {
  sqlite3* h = nullptr;
  std::string path;
  ~Db() {
    if (h) sqlite3_close(h);
  }
  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(h, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw UserError(fmt::format("{}: SQLite: {}", path, msg));
    }
  }
  [[noreturn]] void fail(const char* what) { throw UserError(fmt::format("{}: SQLite {}: {}", path, what, sqlite3_errmsg(h))); }
};

constexpr const char* kSchema = R"(
CREATE TABLE master (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
CREATE TABLE obstype (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
CREATE TABLE toltec (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  Date DATE, Time TIME, RoachIndex INTEGER, HostName TEXT, ObsType INTEGER, Master INTEGER,
  RepeatLevel INTEGER, ObsNum INTEGER, SubObsNum INTEGER, ScanNum INTEGER,
  TargSweepObsNum INTEGER, TargSweepSubObsNum INTEGER, TargSweepScanNum INTEGER,
  FileName TEXT, Valid INTEGER);
INSERT INTO master VALUES (0, 'tcs'), (1, 'ics'), (2, 'clip'), (3, 'repeat');
INSERT INTO obstype VALUES (0, 'Nominal'), (1, 'Timestream'), (2, 'VNA'), (3, 'TARG'), (4, 'TUNE');
)";

}  // namespace

void write_site_db(const std::string& path, const std::vector<SiteDbFile>& rows) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  Db db;
  db.path = path;
  if (sqlite3_open_v2(path.c_str(), &db.h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
    db.fail("open");
  db.exec("BEGIN");
  db.exec(kSchema);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db.h,
                         "INSERT INTO toltec (Date, Time, RoachIndex, HostName, ObsType, Master, RepeatLevel, ObsNum, "
                         "SubObsNum, ScanNum, TargSweepObsNum, TargSweepSubObsNum, TargSweepScanNum, FileName, Valid) "
                         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         -1, &st, nullptr) != SQLITE_OK)
    db.fail("prepare");
  struct Fin {
    sqlite3_stmt* s;
    ~Fin() { sqlite3_finalize(s); }
  } fin{st};
  for (const auto& r : rows) {
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, r.date.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, r.time.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, r.roach);
    sqlite3_bind_text(st, 4, r.host.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 5, r.obs_type);
    sqlite3_bind_int(st, 6, r.master);
    sqlite3_bind_int(st, 7, r.repeat_level);
    sqlite3_bind_int64(st, 8, r.obsnum);
    sqlite3_bind_int(st, 9, r.subobsnum);
    sqlite3_bind_int(st, 10, r.scannum);
    sqlite3_bind_int64(st, 11, r.cal_obsnum);
    sqlite3_bind_int(st, 12, r.cal_subobsnum);
    sqlite3_bind_int(st, 13, r.cal_scannum);
    sqlite3_bind_text(st, 14, r.file_name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 15, r.valid);
    if (sqlite3_step(st) != SQLITE_DONE) db.fail("insert");
  }
  db.exec("COMMIT");
}

}  // namespace tolteca::sim
