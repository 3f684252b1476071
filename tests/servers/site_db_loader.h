#pragma once
// Test support: a MariaDB connection with every privilege (the test server's admin account), and the
// loader that puts a simulated site database (the SQLite file `tolteca_db simulate --toltec-db`
// writes) into a MariaDB database with the column types of the telescope's MySQL database (DATE, TIME,
// INT, VARCHAR), so that the MySQL reader is tested on what it meets at the site.
#include <mysql.h>

#include <cstdint>
#include <string>
#include <vector>

#include "support/db_servers.h"

namespace tolteca::test {

class MysqlAdmin {
 public:
  // Connects over TCP as the server's admin account (mysql_server()); throws std::runtime_error.
  MysqlAdmin();
  ~MysqlAdmin();
  MysqlAdmin(const MysqlAdmin&) = delete;
  MysqlAdmin& operator=(const MysqlAdmin&) = delete;
  void exec(const std::string& sql);
  // The first column of every row of a query ("" for NULL).
  std::vector<std::string> column(const std::string& sql);
  std::string quote(const std::string& s);  // 'escaped'

 private:
  MYSQL* m_ = nullptr;
};

struct LoadOptions {
  // Store the label tables with other ids than the domain's codes (master: code + 10, obstype:
  // code + 20) and the toltec rows with those ids: the reader must translate them by label.
  bool shifted_label_ids = false;
};

// (Re)creates database `db` and copies the tables toltec, master and obstype of the SQLite file into
// it (rows and ids as they are). Returns the number of toltec rows. Throws std::runtime_error.
std::int64_t load_site_db(MysqlAdmin& admin, const std::string& sqlite_path, const std::string& db,
                          const LoadOptions& options = {});

// A database name unique to this process and call ("t_<pid>_<n>_<tag>").
std::string unique_db_name(const std::string& tag);

}  // namespace tolteca::test
