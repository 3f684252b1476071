#pragma once
// Reader of the site file database ("toltec db"): the table
//   toltec(id, Date, Time, RoachIndex, HostName, ObsType, Master, RepeatLevel,
//          ObsNum, SubObsNum, ScanNum, TargSweepObsNum, TargSweepSubObsNum,
//          TargSweepScanNum, FileName, Valid)
// with its label tables master(id, label) and obstype(id, label), read-only, from
//   - a SQLite extract: SOURCE "sqlite:///relative/path", "sqlite:////abs/path" or a plain path;
//   - the live MySQL/MariaDB database: "mysql://[user[:password]@]host[:port]/dbname[?unix_socket=PATH]"
//     ("mysql+pymysql://", "mysql+mysqldb://" and "mariadb://" are the same). A password in the URL
//     works but is discouraged: without one, MariaDB Connector/C takes it from $MYSQL_PWD or from the
//     option files (~/.my.cnf, groups [client], [client-mariadb] and [tolteca_db]); so can the user
//     and port. The connection is TCP unless unix_socket is given; only SELECTs are sent, in a
//     read-only transaction.
// The readers live in storage/sitedb/ (one per kind of source); only they speak SQL.
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

// SOURCE, parsed. Throws UserError naming SOURCE (its password hidden) for an unknown scheme or a
// malformed URL; nothing is opened.
struct SiteDbSource {
  enum class Kind { sqlite, mysql };
  Kind kind = Kind::sqlite;
  std::string path;  // sqlite: the file
  // mysql: the URL's parts, percent-decoded; empty user/password: from the option files/$MYSQL_PWD
  std::string user, password, host, dbname, unix_socket;
  bool has_password = false;
  int port = 0;         // 0: the default (option files, else 3306)
  std::string display;  // SOURCE as shown in messages: the password replaced by "***"
};
SiteDbSource parse_site_db_source(const std::string& source);

// The SQLite file path of SOURCE; throws UserError when SOURCE is not a SQLite file.
std::string site_db_path(const std::string& source);

// Calls on_row for every matching row, in id order; returns the row count. Master and ObsType are
// the codes of the domain (Master 0 tcs, 1 ics, 2 clip, 3 repeat; ObsType 0..4): when the database
// has the label tables, a stored id is translated by its label (an id without a known label is kept
// as stored), and filter.obs_types (codes) selects by the ids of those labels.
// Throws UserError naming the source when it is missing or cannot be reached (MySQL: unknown host,
// refused connection, access denied, unknown database), or has no `toltec` table with the expected
// columns.
std::int64_t read_site_db(const std::string& source, const SiteDbFilter& filter,
                          const std::function<void(const SiteDbRow&)>& on_row);

}  // namespace tolteca::storage
