#include "support/db_servers.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>

namespace tolteca::test {

namespace {

std::map<std::string, std::string> settings() {
  std::map<std::string, std::string> s;
  if (const char* file = std::getenv("TOLTECA_DB_SERVERS_ENV"); file && *file) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
      if (auto eq = line.find('='); eq != std::string::npos) s[line.substr(0, eq)] = line.substr(eq + 1);
  }
  for (auto& [k, v] : s)
    if (const char* e = std::getenv(k.c_str()); e && *e) v = e;
  for (const char* k : {"TOLTECA_TEST_MYSQL_PORT", "TOLTECA_TEST_PG_PORT"})
    if (const char* e = std::getenv(k); e && *e && !s.count(k)) s[k] = e;
  return s;
}

std::string need(const std::map<std::string, std::string>& s, const std::string& key) {
  auto it = s.find(key);
  if (it == s.end() || it->second.empty()) {
    if (const char* e = std::getenv(key.c_str()); e && *e) return e;
    throw std::runtime_error(
        key + " is not set: no test database server is running. Run the tests through ctest (it starts them), "
              "or: scripts/db-servers.sh start build/db-servers && export TOLTECA_DB_SERVERS_ENV="
              "$PWD/build/db-servers/servers.env");
  }
  return it->second;
}

}  // namespace

std::string MysqlServer::url(const std::string& db, const std::string& who, const std::string& pw) const {
  return "mysql://" + who + (pw.empty() ? "" : ":" + pw) + "@" + host + ":" + std::to_string(port) + "/" + db;
}

const MysqlServer& mysql_server() {
  static const MysqlServer m = [] {
    auto s = settings();
    MysqlServer r;
    r.host = need(s, "TOLTECA_TEST_MYSQL_HOST");
    r.port = std::stoi(need(s, "TOLTECA_TEST_MYSQL_PORT"));
    r.socket = need(s, "TOLTECA_TEST_MYSQL_SOCKET");
    r.user = need(s, "TOLTECA_TEST_MYSQL_USER");
    r.password = need(s, "TOLTECA_TEST_MYSQL_PASSWORD");
    r.reader = need(s, "TOLTECA_TEST_MYSQL_READER");
    r.reader_password = need(s, "TOLTECA_TEST_MYSQL_READER_PASSWORD");
    r.database = need(s, "TOLTECA_TEST_MYSQL_DATABASE");
    return r;
  }();
  return m;
}

const PostgresServer& postgres_server() {
  static const PostgresServer p = [] {
    auto s = settings();
    PostgresServer r;
    r.host = need(s, "TOLTECA_TEST_PG_HOST");
    r.port = std::stoi(need(s, "TOLTECA_TEST_PG_PORT"));
    r.user = need(s, "TOLTECA_TEST_PG_USER");
    r.password = need(s, "TOLTECA_TEST_PG_PASSWORD");
    r.database = need(s, "TOLTECA_TEST_PG_DATABASE");
    r.url = need(s, "TOLTECA_TEST_PG_URL");
    return r;
  }();
  return p;
}

}  // namespace tolteca::test
