#include "storage/site_db.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <memory>
#include <set>
#include <string_view>

#include "model/error.h"

namespace tolteca::storage {

namespace {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtCloser {
  void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};

// An integer column. NULL -> nullopt. A value that is not exactly an integer (text that is not all
// digits, a REAL with a fraction or beyond int64, a BLOB) -> nullopt and an entry in row.bad_values:
// never truncated (1.5 -> 1) or read as a prefix ("12abc" -> 12).
std::optional<std::int64_t> opt_int(sqlite3_stmt* st, int col, const char* name, SiteDbRow& row) {
  const int type = sqlite3_column_type(st, col);
  if (type == SQLITE_NULL) return std::nullopt;
  if (type == SQLITE_INTEGER) return sqlite3_column_int64(st, col);
  auto bad = [&](const std::string& shown, const char* why) -> std::optional<std::int64_t> {
    row.bad_values[name] = fmt::format("{} {} is {}", name, shown, why);
    return std::nullopt;
  };
  if (type == SQLITE_FLOAT) {
    double d = sqlite3_column_double(st, col);
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18) return static_cast<std::int64_t>(d);
    return bad(fmt::format("{}", d), "not an integer");
  }
  if (type == SQLITE_TEXT) {
    const char* t = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
    std::string_view v = t ? t : "";
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    std::int64_t x = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec == std::errc() && p == v.data() + v.size() && !v.empty()) return x;
    return bad(fmt::format("'{}'", std::string(v.substr(0, 40))),
               ec == std::errc::result_out_of_range ? "out of range of a 64-bit integer" : "not an integer");
  }
  return bad("(a BLOB)", "not an integer");
}

std::string text(sqlite3_stmt* st, int col) {
  const unsigned char* t = sqlite3_column_text(st, col);
  return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
}

}  // namespace

std::string site_db_path(const std::string& source) {
  constexpr std::string_view kSqlite = "sqlite:///";
  if (source.rfind(kSqlite, 0) == 0) return source.substr(kSqlite.size());
  if (source.rfind("mysql://", 0) == 0 || source.rfind("mysql+", 0) == 0 || source.rfind("mariadb://", 0) == 0)
    throw UserError(fmt::format("{}: reading the live MySQL site database is not supported yet; use a SQLite "
                                "extract (sqlite:///path or a path)",
                                source));
  auto scheme = source.find("://");
  if (scheme != std::string::npos)
    throw UserError(fmt::format("{}: unsupported site database URL (use sqlite:///path or a path)", source));
  return source;
}

std::int64_t read_site_db(const std::string& source, const SiteDbFilter& filter,
                          const std::function<void(const SiteDbRow&)>& on_row) {
  std::string path = site_db_path(source);
  if (!std::filesystem::is_regular_file(path))
    throw UserError(fmt::format("site database {} does not exist", path));
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : "cannot open";
    sqlite3_close(raw);
    throw UserError(fmt::format("cannot open site database {}: {}", path, msg));
  }
  std::unique_ptr<sqlite3, SqliteCloser> db(raw);
  // The site database is written while it is read (WAL mode): a writer that checkpoints or closes holds a
  // lock for a moment, which is waited for rather than reported as an unreadable database.
  sqlite3_busy_timeout(db.get(), 10000);

  // Check the table and its columns (names are case-insensitive in SQLite).
  std::set<std::string> columns;
  {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db.get(), "SELECT name FROM pragma_table_info('toltec')", -1, &st, nullptr) != SQLITE_OK)
      throw UserError(fmt::format("{} is not a readable SQLite database: {}", path, sqlite3_errmsg(db.get())));
    std::unique_ptr<sqlite3_stmt, StmtCloser> g(st);
    std::set<std::string>& cols = columns;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::string c = text(st, 0);
      for (auto& ch : c) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      cols.insert(c);
    }
    if (rc != SQLITE_DONE)
      throw UserError(fmt::format("{} is not a readable SQLite database: {}", path, sqlite3_errmsg(db.get())));
    if (cols.empty()) throw UserError(fmt::format("site database {} has no 'toltec' table", path));
    for (const char* need : {"id", "date", "time", "roachindex", "obstype", "master", "obsnum", "subobsnum",
                             "scannum", "filename", "valid"})
      if (!cols.count(need))
        throw UserError(fmt::format("site database {}: table 'toltec' has no column '{}'", path, need));
  }

  auto optional_col = [&](const char* name) {
    std::string l = name;
    for (auto& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return columns.count(l) ? std::string(name) : std::string("NULL");
  };
  std::string sql = fmt::format(
      "SELECT id, Date, Time, RoachIndex, ObsType, Master, {}, ObsNum, SubObsNum, ScanNum, {}, {}, {}, FileName, "
      "Valid FROM toltec WHERE 1=1",
      optional_col("RepeatLevel"), optional_col("TargSweepObsNum"), optional_col("TargSweepSubObsNum"),
      optional_col("TargSweepScanNum"));
  std::vector<std::string> binds;
  auto datetime_expr = "(CAST(Date AS TEXT) || ' ' || CAST(Time AS TEXT))";
  if (!filter.since.empty()) {
    sql += fmt::format(" AND {} >= ?", datetime_expr);
    binds.push_back(filter.since);
  }
  if (!filter.until.empty()) {
    if (filter.until.size() == 10) {
      sql += " AND CAST(Date AS TEXT) <= ?";
    } else {
      sql += fmt::format(" AND {} <= ?", datetime_expr);
    }
    binds.push_back(filter.until);
  }
  if (!filter.obs_types.empty()) {
    sql += " AND ObsType IN (";
    for (std::size_t i = 0; i < filter.obs_types.size(); ++i) {
      if (i) sql += ',';
      sql += std::to_string(filter.obs_types[i]);
    }
    sql += ")";
  }
  if (filter.valid_only) sql += " AND Valid <> 0";
  if (filter.min_id > 0) sql += fmt::format(" AND id >= {}", filter.min_id);
  sql += " ORDER BY id";
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    throw UserError(fmt::format("site database {}: {}", path, sqlite3_errmsg(db.get())));
  std::unique_ptr<sqlite3_stmt, StmtCloser> g(st);
  for (std::size_t i = 0; i < binds.size(); ++i)
    sqlite3_bind_text(st, static_cast<int>(i + 1), binds[i].c_str(), -1, SQLITE_TRANSIENT);
  std::int64_t n = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    SiteDbRow r;
    r.id = sqlite3_column_int64(st, 0);
    r.date = text(st, 1);
    r.time = text(st, 2);
    r.roach = opt_int(st, 3, "RoachIndex", r);
    r.obs_type = opt_int(st, 4, "ObsType", r);
    r.master = opt_int(st, 5, "Master", r);
    r.repeat_level = opt_int(st, 6, "RepeatLevel", r);
    r.obsnum = opt_int(st, 7, "ObsNum", r);
    r.subobsnum = opt_int(st, 8, "SubObsNum", r);
    r.scannum = opt_int(st, 9, "ScanNum", r);
    r.ts_obsnum = opt_int(st, 10, "TargSweepObsNum", r);
    r.ts_subobsnum = opt_int(st, 11, "TargSweepSubObsNum", r);
    r.ts_scannum = opt_int(st, 12, "TargSweepScanNum", r);
    r.file_name = text(st, 13);
    r.valid = opt_int(st, 14, "Valid", r);
    on_row(r);
    ++n;
  }
  if (rc != SQLITE_DONE) throw UserError(fmt::format("site database {}: {}", path, sqlite3_errmsg(db.get())));
  return n;
}

}  // namespace tolteca::storage
