#include "servers/site_db_loader.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <stdexcept>

namespace tolteca::test {

namespace {

constexpr const char* kSchema[] = {
    "CREATE TABLE master (id INT NOT NULL PRIMARY KEY, label VARCHAR(32) NOT NULL) ENGINE=InnoDB",
    "CREATE TABLE obstype (id INT NOT NULL PRIMARY KEY, label VARCHAR(32) NOT NULL) ENGINE=InnoDB",
    "CREATE TABLE toltec (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, Date DATE, Time TIME, RoachIndex INT, "
    "HostName VARCHAR(64), ObsType INT, Master INT, RepeatLevel INT, ObsNum INT, SubObsNum INT, ScanNum INT, "
    "TargSweepObsNum INT, TargSweepSubObsNum INT, TargSweepScanNum INT, FileName VARCHAR(1024), Valid TINYINT, "
    "KEY (Date)) ENGINE=InnoDB",
};

struct SqliteDb {
  sqlite3* h = nullptr;
  ~SqliteDb() { sqlite3_close(h); }
};
struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

}  // namespace

MysqlAdmin::MysqlAdmin() {
  const auto& srv = mysql_server();
  m_ = mysql_init(nullptr);
  unsigned protocol = MYSQL_PROTOCOL_TCP;
  mysql_optionsv(m_, MYSQL_OPT_PROTOCOL, &protocol);
  mysql_optionsv(m_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (!mysql_real_connect(m_, srv.host.c_str(), srv.user.c_str(), srv.password.c_str(), nullptr,
                          static_cast<unsigned>(srv.port), nullptr, 0))
    throw std::runtime_error(std::string("MariaDB test server: ") + mysql_error(m_));
}

MysqlAdmin::~MysqlAdmin() { mysql_close(m_); }

void MysqlAdmin::exec(const std::string& sql) {
  if (mysql_real_query(m_, sql.data(), sql.size()) != 0)
    throw std::runtime_error("MariaDB: " + std::string(mysql_error(m_)) + " in: " + sql.substr(0, 200));
  if (MYSQL_RES* r = mysql_store_result(m_)) mysql_free_result(r);
}

std::vector<std::string> MysqlAdmin::column(const std::string& sql) {
  if (mysql_real_query(m_, sql.data(), sql.size()) != 0)
    throw std::runtime_error("MariaDB: " + std::string(mysql_error(m_)) + " in: " + sql);
  std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)> r(mysql_store_result(m_), mysql_free_result);
  std::vector<std::string> out;
  if (!r) return out;
  while (MYSQL_ROW row = mysql_fetch_row(r.get())) out.push_back(row[0] ? row[0] : "");
  return out;
}

std::string MysqlAdmin::quote(const std::string& s) {
  std::string buf(s.size() * 2 + 1, '\0');
  buf.resize(mysql_real_escape_string(m_, buf.data(), s.data(), s.size()));
  return "'" + buf + "'";
}

std::int64_t load_site_db(MysqlAdmin& admin, const std::string& sqlite_path, const std::string& db,
                          const LoadOptions& options) {
  SqliteDb src;
  if (sqlite3_open_v2(sqlite_path.c_str(), &src.h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    throw std::runtime_error("cannot open " + sqlite_path);
  admin.exec("DROP DATABASE IF EXISTS `" + db + "`");
  admin.exec("CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4");
  admin.exec("USE `" + db + "`");
  for (const char* sql : kSchema) admin.exec(sql);
  const int master_shift = options.shifted_label_ids ? 10 : 0, obstype_shift = options.shifted_label_ids ? 20 : 0;
  // Every value as SQL text: NULL, a number, or a quoted string (MariaDB converts to the column's type).
  auto copy = [&](const std::string& table, const std::string& select, const std::vector<int>& shifts) {
    Stmt st;
    if (sqlite3_prepare_v2(src.h, select.c_str(), -1, &st.s, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite_path + ": " + sqlite3_errmsg(src.h));
    std::int64_t n = 0;
    std::string batch;
    auto flush = [&] {
      if (batch.empty()) return;
      admin.exec("INSERT INTO " + table + " VALUES " + batch);
      batch.clear();
    };
    while (sqlite3_step(st.s) == SQLITE_ROW) {
      std::string row = "(";
      for (int c = 0; c < sqlite3_column_count(st.s); ++c) {
        if (c) row += ',';
        switch (sqlite3_column_type(st.s, c)) {
          case SQLITE_NULL: row += "NULL"; break;
          case SQLITE_INTEGER: row += std::to_string(sqlite3_column_int64(st.s, c) + shifts[c]); break;
          default: row += admin.quote(reinterpret_cast<const char*>(sqlite3_column_text(st.s, c)));
        }
      }
      batch += (batch.empty() ? "" : ",") + row + ")";
      if (batch.size() > 200'000) flush();
      ++n;
    }
    flush();
    return n;
  };
  copy("master", "SELECT id, label FROM master ORDER BY id", {master_shift, 0});
  copy("obstype", "SELECT id, label FROM obstype ORDER BY id", {obstype_shift, 0});
  std::vector<int> shifts(16, 0);
  shifts[5] = obstype_shift;
  shifts[6] = master_shift;
  return copy("toltec",
              "SELECT id, Date, Time, RoachIndex, HostName, ObsType, Master, RepeatLevel, ObsNum, SubObsNum, ScanNum, "
              "TargSweepObsNum, TargSweepSubObsNum, TargSweepScanNum, FileName, Valid FROM toltec ORDER BY id",
              shifts);
}

std::string unique_db_name(const std::string& tag) {
  static std::atomic<int> counter{0};
  return "t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + tag;
}

}  // namespace tolteca::test
