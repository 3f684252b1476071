// The SQLite reader of the site database (readers.h).
#include "storage/sitedb/readers.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <memory>
#include <set>
#include <string_view>

#include "model/error.h"
#include "storage/sitedb/site_db_common.h"

namespace tolteca::storage::sitedb {

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
    return int_from_text(t ? t : "", false, name, row);
  }
  return bad("(a BLOB)", "not an integer");
}

std::string text(sqlite3_stmt* st, int col) {
  const unsigned char* t = sqlite3_column_text(st, col);
  return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
}

// Runs a query whose rows on_row reads; throws UserError naming `path` on an error.
void each_row(sqlite3* db, const std::string& path, const std::string& sql,
              const std::function<void(sqlite3_stmt*)>& on_row) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    throw UserError(fmt::format("site database {}: {}", path, sqlite3_errmsg(db)));
  std::unique_ptr<sqlite3_stmt, StmtCloser> g(st);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) on_row(st);
  if (rc != SQLITE_DONE) throw UserError(fmt::format("site database {}: {}", path, sqlite3_errmsg(db)));
}

std::set<std::string> table_columns(sqlite3* db, const std::string& path, const char* table) {
  std::set<std::string> cols;
  const std::string sql = fmt::format("SELECT name FROM pragma_table_info('{}')", table);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    throw UserError(fmt::format("{} is not a readable SQLite database: {}", path, sqlite3_errmsg(db)));
  std::unique_ptr<sqlite3_stmt, StmtCloser> g(st);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) cols.insert(lower(text(st, 0)));
  if (rc != SQLITE_DONE)
    throw UserError(fmt::format("{} is not a readable SQLite database: {}", path, sqlite3_errmsg(db)));
  return cols;
}

// The label tables, when present with columns id and label.
Labels read_labels(sqlite3* db, const std::string& path) {
  Labels labels;
  for (const char* table : {"master", "obstype"}) {
    auto cols = table_columns(db, path, table);
    if (!cols.count("id") || !cols.count("label")) continue;
    const bool master = std::string(table) == "master";
    each_row(db, path, fmt::format("SELECT id, label FROM {}", table), [&](sqlite3_stmt* st) {
      if (sqlite3_column_type(st, 0) != SQLITE_INTEGER) return;
      if (master)
        labels.add_master(sqlite3_column_int64(st, 0), text(st, 1));
      else
        labels.add_obs_type(sqlite3_column_int64(st, 0), text(st, 1));
    });
  }
  return labels;
}

}  // namespace

std::int64_t read_sqlite(const SiteDbSource& source, const SiteDbFilter& filter,
                         const std::function<void(const SiteDbRow&)>& on_row) {
  const std::string& path = source.path;
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

  // The table and its columns (names are case-insensitive in SQLite), then the labels and the rows in
  // one read transaction: one consistent snapshot.
  char* err = nullptr;
  if (sqlite3_exec(db.get(), "BEGIN", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "cannot begin a read";
    sqlite3_free(err);
    throw UserError(fmt::format("site database {}: {}", path, msg));
  }
  const std::set<std::string> columns = table_columns(db.get(), path, "toltec");
  check_columns(columns, path);
  const Labels labels = read_labels(db.get(), path);
  const std::string sql = fmt::format(
      "SELECT {} FROM toltec WHERE {} ORDER BY id",
      select_list(columns, "CAST(Date AS TEXT)", "CAST(Time AS TEXT)"),
      where_clause(filter, labels, "(CAST(Date AS TEXT) || ' ' || CAST(Time AS TEXT))", "CAST(Date AS TEXT)"));
  std::int64_t n = 0;
  each_row(db.get(), path, sql, [&](sqlite3_stmt* st) {
    SiteDbRow r;
    r.id = sqlite3_column_int64(st, 0);
    r.date = text(st, 1);
    r.time = text(st, 2);
    r.file_name = text(st, 13);
    std::optional<std::int64_t>* ints[kSelectColumns] = {nullptr,         nullptr,      nullptr,      &r.roach,
                                                         &r.obs_type,     &r.master,    &r.repeat_level, &r.obsnum,
                                                         &r.subobsnum,    &r.scannum,   &r.ts_obsnum, &r.ts_subobsnum,
                                                         &r.ts_scannum,   nullptr,      &r.valid};
    for (int c = 0; c < kSelectColumns; ++c)
      if (ints[c]) *ints[c] = opt_int(st, c, int_column_name(c), r);
    labels.apply(r);
    on_row(r);
    ++n;
  });
  sqlite3_exec(db.get(), "COMMIT", nullptr, nullptr, nullptr);
  return n;
}

}  // namespace tolteca::storage::sitedb
