#include "sim/sitedb_writer.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>
#include <optional>

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

constexpr const char* kInsert =
    "INSERT INTO toltec (Date, Time, RoachIndex, HostName, ObsType, Master, RepeatLevel, ObsNum, SubObsNum, "
    "ScanNum, TargSweepObsNum, TargSweepSubObsNum, TargSweepScanNum, FileName, Valid) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

struct Statement {
  sqlite3_stmt* s = nullptr;
  Statement(Db& db, const char* sql) {
    if (sqlite3_prepare_v2(db.h, sql, -1, &s, nullptr) != SQLITE_OK) db.fail("prepare");
  }
  ~Statement() { sqlite3_finalize(s); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
};

void open_db(Db& db, const std::string& path) {
  db.path = path;
  if (sqlite3_open_v2(path.c_str(), &db.h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
    db.fail("open");
  sqlite3_busy_timeout(db.h, 10000);  // a reader's lock is waited for, not an error
}

void insert(Db& db, sqlite3_stmt* st, const SiteDbFile& r) {
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

}  // namespace

void write_site_db(const std::string& path, const std::vector<SiteDbFile>& rows) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  Db db;
  open_db(db, path);
  db.exec("BEGIN");
  db.exec(kSchema);
  Statement st(db, kInsert);
  for (const auto& r : rows) insert(db, st.s, r);
  db.exec("COMMIT");
}

struct LiveSiteDb::Impl {
  Db db;
  std::optional<Statement> insert, validate;
};

LiveSiteDb::LiveSiteDb(files::OutputFile& output) : impl_(std::make_unique<Impl>()) {
  {
    std::error_code ec;
    std::filesystem::remove(output.temp_path(), ec);
    Db fresh;
    open_db(fresh, output.temp_path());
    fresh.exec("PRAGMA journal_mode=WAL");  // kept in the file: readers never block the writer
    fresh.exec("BEGIN");
    fresh.exec(kSchema);
    fresh.exec("COMMIT");
  }
  output.commit();
  open_db(impl_->db, output.target());
  impl_->db.exec("PRAGMA synchronous=NORMAL");  // a commit per row: no fsync each (a simulator's data)
  impl_->insert.emplace(impl_->db, kInsert);
  impl_->validate.emplace(impl_->db, "UPDATE toltec SET Valid = 1 WHERE id = ?");
}

LiveSiteDb::~LiveSiteDb() = default;

std::int64_t LiveSiteDb::add(const SiteDbFile& row) {
  insert(impl_->db, impl_->insert->s, row);
  return sqlite3_last_insert_rowid(impl_->db.h);
}

void LiveSiteDb::set_valid(std::int64_t id) {
  sqlite3_stmt* st = impl_->validate->s;
  sqlite3_reset(st);
  sqlite3_bind_int64(st, 1, id);
  if (sqlite3_step(st) != SQLITE_DONE) impl_->db.fail("update");
}

}  // namespace tolteca::sim
