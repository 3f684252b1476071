// The MySQL/MariaDB reader of the site database (readers.h), over MariaDB Connector/C.
//
// Read-only by construction: the session is set READ ONLY and everything is read in one
// `START TRANSACTION READ ONLY` (one consistent snapshot on InnoDB); only SELECTs are sent.
// Date and Time are MySQL DATE and TIME columns, formatted by the server (DATE_FORMAT/TIME_FORMAT);
// the rows are streamed (mysql_use_result), not buffered.
#include <fmt/format.h>
#include <mysql.h>

#include <memory>
#include <mutex>
#include <set>
#include <string_view>

#include "model/error.h"
#include "storage/sitedb/readers.h"
#include "storage/sitedb/site_db_common.h"

namespace tolteca::storage::sitedb {

namespace {

struct MysqlCloser {
  void operator()(MYSQL* m) const { mysql_close(m); }
};
struct ResultFree {
  void operator()(MYSQL_RES* r) const { mysql_free_result(r); }
};
using Conn = std::unique_ptr<MYSQL, MysqlCloser>;
using Result = std::unique_ptr<MYSQL_RES, ResultFree>;

// What an error from the server or the client library means, for the message.
std::string explain(MYSQL* m) {
  const unsigned code = mysql_errno(m);
  std::string msg = fmt::format("{} (error {})", mysql_error(m), code);
  switch (code) {
    case 1045:  // ER_ACCESS_DENIED_ERROR
      msg += "; the password is taken from the URL, else $MYSQL_PWD, else ~/.my.cnf";
      break;
    case 1044:  // ER_DBACCESS_DENIED_ERROR
    case 1049:  // ER_BAD_DB_ERROR
      msg += "; check the database name at the end of the URL";
      break;
    case 2002:  // CR_CONNECTION_ERROR
    case 2003:  // CR_CONN_HOST_ERROR
    case 2005:  // CR_UNKNOWN_HOST
      msg += "; check the host and port, and that the server is running";
      break;
    default:
      break;
  }
  return msg;
}

Conn connect(const SiteDbSource& s) {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
  Conn m(mysql_init(nullptr));
  if (!m) throw UserError(fmt::format("site database {}: out of memory starting the MySQL client", s.display));
  // The option files ([client], [client-mariadb], [tolteca_db] of ~/.my.cnf, /etc/mysql/my.cnf …)
  // may give the user, password and port; $MYSQL_PWD the password.
  mysql_optionsv(m.get(), MYSQL_READ_DEFAULT_GROUP, "tolteca_db");
  unsigned connect_timeout = 10, read_timeout = 120;
  mysql_optionsv(m.get(), MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_optionsv(m.get(), MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  mysql_optionsv(m.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
  // As the original's drivers (PyMySQL) do: TCP, also to "localhost", unless a socket is named.
  unsigned protocol = s.unix_socket.empty() ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET;
  mysql_optionsv(m.get(), MYSQL_OPT_PROTOCOL, &protocol);
  if (!mysql_real_connect(m.get(), s.host.c_str(), s.user.empty() ? nullptr : s.user.c_str(),
                          s.has_password ? s.password.c_str() : nullptr, s.dbname.c_str(),
                          static_cast<unsigned>(s.port), s.unix_socket.empty() ? nullptr : s.unix_socket.c_str(), 0))
    throw UserError(fmt::format("site database {}: cannot connect: {}", s.display, explain(m.get())));
  return m;
}

void exec(MYSQL* m, const SiteDbSource& s, const std::string& sql) {
  if (mysql_real_query(m, sql.data(), sql.size()) != 0)
    throw UserError(fmt::format("site database {}: {}", s.display, explain(m)));
}

// Runs a SELECT; on_row gets each row's values (nullptr = NULL), their lengths and the fields.
void each_row(MYSQL* m, const SiteDbSource& s, const std::string& sql,
              const std::function<void(MYSQL_ROW, const unsigned long*, const MYSQL_FIELD*)>& on_row) {
  exec(m, s, sql);
  Result res(mysql_use_result(m));
  if (!res) throw UserError(fmt::format("site database {}: {}", s.display, explain(m)));
  const MYSQL_FIELD* fields = mysql_fetch_fields(res.get());
  while (MYSQL_ROW row = mysql_fetch_row(res.get())) on_row(row, mysql_fetch_lengths(res.get()), fields);
  if (mysql_errno(m) != 0)
    throw UserError(fmt::format("site database {}: reading the rows failed: {}", s.display, explain(m)));
}

std::string value(MYSQL_ROW row, const unsigned long* len, int c) {
  return row[c] ? std::string(row[c], len[c]) : std::string();
}

std::set<std::string> table_columns(MYSQL* m, const SiteDbSource& s, const char* table) {
  std::set<std::string> cols;
  each_row(m, s,
           fmt::format("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                       "AND TABLE_NAME = '{}'",
                       table),
           [&](MYSQL_ROW row, const unsigned long* len, const MYSQL_FIELD*) { cols.insert(lower(value(row, len, 0))); });
  return cols;
}

bool is_integer_type(enum_field_types t) {
  return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_LONG || t == MYSQL_TYPE_LONGLONG ||
         t == MYSQL_TYPE_INT24 || t == MYSQL_TYPE_YEAR || t == MYSQL_TYPE_BIT;
}
bool is_number_type(enum_field_types t) {
  return t == MYSQL_TYPE_FLOAT || t == MYSQL_TYPE_DOUBLE || t == MYSQL_TYPE_DECIMAL || t == MYSQL_TYPE_NEWDECIMAL;
}

// An integer column's value: NULL -> nullopt; otherwise int_from_text (a text or fractional value is
// reported in row.bad_values, as the SQLite reader does).
std::optional<std::int64_t> opt_int(MYSQL_ROW row, const unsigned long* len, const MYSQL_FIELD* fields, int c,
                                    SiteDbRow& r) {
  if (!row[c]) return std::nullopt;
  const char* name = int_column_name(c);
  const enum_field_types t = fields[c].type;
  if (t == MYSQL_TYPE_BIT) {  // BIT(n) comes as raw bytes, big-endian
    std::int64_t v = 0;
    for (unsigned long i = 0; i < len[c]; ++i) v = (v << 8) | static_cast<unsigned char>(row[c][i]);
    return v;
  }
  if ((fields[c].flags & BINARY_FLAG) && fields[c].charsetnr == 63 && !is_integer_type(t) && !is_number_type(t)) {
    r.bad_values[name] = fmt::format("{} (a BLOB) is not an integer", name);
    return std::nullopt;
  }
  return int_from_text(std::string_view(row[c], len[c]), is_integer_type(t) || is_number_type(t), name, r);
}

Labels read_labels(MYSQL* m, const SiteDbSource& s) {
  Labels labels;
  for (const char* table : {"master", "obstype"}) {
    auto cols = table_columns(m, s, table);
    if (!cols.count("id") || !cols.count("label")) continue;
    const bool master = std::string_view(table) == "master";
    each_row(m, s, fmt::format("SELECT id, label FROM `{}`", table),
             [&](MYSQL_ROW row, const unsigned long* len, const MYSQL_FIELD*) {
               if (!row[0] || !row[1]) return;
               SiteDbRow scratch;
               auto id = int_from_text(std::string_view(row[0], len[0]), true, "id", scratch);
               if (!id) return;
               if (master)
                 labels.add_master(*id, value(row, len, 1));
               else
                 labels.add_obs_type(*id, value(row, len, 1));
             });
  }
  return labels;
}

}  // namespace

std::int64_t read_mysql(const SiteDbSource& source, const SiteDbFilter& filter,
                        const std::function<void(const SiteDbRow&)>& on_row) {
  Conn conn = connect(source);
  MYSQL* m = conn.get();
  exec(m, source, "SET SESSION TRANSACTION READ ONLY");
  exec(m, source, "START TRANSACTION READ ONLY");
  const std::set<std::string> columns = table_columns(m, source, "toltec");
  check_columns(columns, source.display);
  const Labels labels = read_labels(m, source);
  const std::string sql =
      fmt::format("SELECT {} FROM toltec WHERE {} ORDER BY id",
                  select_list(columns, "DATE_FORMAT(Date, '%Y-%m-%d')", "TIME_FORMAT(Time, '%H:%i:%s')"),
                  where_clause(filter, labels, "TIMESTAMP(Date, Time)", "Date"));
  std::int64_t n = 0;
  each_row(m, source, sql, [&](MYSQL_ROW row, const unsigned long* len, const MYSQL_FIELD* fields) {
    SiteDbRow r;
    SiteDbRow scratch;
    r.id = int_from_text(std::string_view(row[0] ? row[0] : "", row[0] ? len[0] : 0), true, "id", scratch).value_or(0);
    r.date = value(row, len, 1);
    r.time = value(row, len, 2);
    r.file_name = value(row, len, 13);
    std::optional<std::int64_t>* ints[kSelectColumns] = {nullptr,      nullptr,       nullptr,         &r.roach,
                                                         &r.obs_type,  &r.master,     &r.repeat_level, &r.obsnum,
                                                         &r.subobsnum, &r.scannum,    &r.ts_obsnum,    &r.ts_subobsnum,
                                                         &r.ts_scannum, nullptr,      &r.valid};
    for (int c = 0; c < kSelectColumns; ++c)
      if (ints[c]) *ints[c] = opt_int(row, len, fields, c, r);
    labels.apply(r);
    on_row(r);
    ++n;
  });
  exec(m, source, "COMMIT");
  return n;
}

}  // namespace tolteca::storage::sitedb
