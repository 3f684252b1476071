#pragma once
// The database servers scripts/db-servers.sh started for the tests (ctest starts them: fixture tests
// db_servers_start/db_servers_stop). Their settings come from the environment (TOLTECA_TEST_MYSQL_*,
// TOLTECA_TEST_PG_*) or else from the file named by $TOLTECA_DB_SERVERS_ENV (ctest sets it to
// <build>/db-servers/servers.env). A test that needs a server and finds none FAILS (never skips):
// the accessors throw std::runtime_error saying how to start them.
#include <string>

namespace tolteca::test {

struct MysqlServer {
  std::string host, socket;
  int port = 0;
  std::string user, password;            // every privilege (creates and fills databases)
  std::string reader, reader_password;   // SELECT only
  std::string database;                  // an empty database
  // mysql://USER[:PASSWORD]@HOST:PORT/DB (no password when empty).
  std::string url(const std::string& db, const std::string& who, const std::string& pw = {}) const;
};

struct PostgresServer {
  std::string host, user, password, database, url;
  int port = 0;
};

const MysqlServer& mysql_server();
const PostgresServer& postgres_server();

}  // namespace tolteca::test
