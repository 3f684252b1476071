#include "storage/duckdb/duckdb.h"

#include <fmt/format.h>

#include <cstring>

namespace tolteca::storage::duckdb {

namespace {

[[noreturn]] void throw_error(std::string message) {
  // DuckDB reports a write lock held by another process like this.
  if (message.find("Could not set lock on file") != std::string::npos ||
      message.find("Conflicting lock is held") != std::string::npos)
    throw DbLockedError(std::move(message));
  throw DbError(std::move(message));
}

}  // namespace

std::string value_to_string(const Value& v) {
  struct Visitor {
    std::string operator()(std::monostate) const { return {}; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return fmt::format("{}", d); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(Timestamp t) const { return std::to_string(t.micros); }
  };
  return std::visit(Visitor{}, v);
}

// ---- Database -------------------------------------------------------------

Database::Database(const std::string& path, bool read_only, const std::map<std::string, std::string>& options)
    : path_(path) {
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError) throw DbError("duckdb: cannot create config");
  auto set = [&](const char* k, const char* v) {
    if (duckdb_set_config(config, k, v) == DuckDBError) {
      duckdb_destroy_config(&config);
      throw DbError(fmt::format("duckdb: bad config option {}={}", k, v));
    }
  };
  set("autoinstall_known_extensions", "false");
  set("autoload_known_extensions", "false");
  if (read_only) set("access_mode", "READ_ONLY");
  for (const auto& [k, v] : options) set(k.c_str(), v.c_str());
  char* err = nullptr;
  const char* p = (path.empty() || path == ":memory:") ? nullptr : path.c_str();
  duckdb_state st = duckdb_open_ext(p, &db_, config, &err);
  duckdb_destroy_config(&config);
  if (st == DuckDBError) {
    std::string msg = err ? err : "unknown error";
    if (err) duckdb_free(err);
    throw_error(fmt::format("cannot open database {}: {}", path.empty() ? ":memory:" : path, msg));
  }
}

Database::~Database() {
  if (db_) duckdb_close(&db_);
}

// ---- Connection -----------------------------------------------------------

Connection::Connection(Database& db) {
  if (duckdb_connect(db.handle(), &con_) == DuckDBError) throw DbError("duckdb: cannot connect to database");
}

Connection::~Connection() {
  if (con_) duckdb_disconnect(&con_);
}

Result Connection::query(const std::string& sql) {
  duckdb_result res;
  if (duckdb_query(con_, sql.c_str(), &res) == DuckDBError) {
    std::string msg = duckdb_result_error(&res) ? duckdb_result_error(&res) : "query failed";
    duckdb_destroy_result(&res);
    throw_error(msg);
  }
  return Result(res);
}

void Connection::execute(const std::string& sql) { query(sql); }

Statement Connection::prepare(const std::string& sql) {
  duckdb_prepared_statement stmt = nullptr;
  if (duckdb_prepare(con_, sql.c_str(), &stmt) == DuckDBError) {
    std::string msg = duckdb_prepare_error(stmt) ? duckdb_prepare_error(stmt) : "prepare failed";
    duckdb_destroy_prepare(&stmt);
    throw_error(msg);
  }
  return Statement(stmt);
}

Appender Connection::appender(const std::string& table, const std::string& schema) {
  duckdb_appender app = nullptr;
  if (duckdb_appender_create(con_, schema.empty() ? nullptr : schema.c_str(), table.c_str(), &app) == DuckDBError) {
    std::string msg = duckdb_appender_error(app) ? duckdb_appender_error(app) : "cannot create appender";
    duckdb_appender_destroy(&app);
    throw_error(fmt::format("appender for {}: {}", table, msg));
  }
  return Appender(app, table);
}

Appender Connection::appender(const std::string& table, const std::vector<const char*>& columns) {
  Appender a = appender(table);
  for (const char* c : columns)
    if (duckdb_appender_add_column(a.handle(), c) == DuckDBError)
      throw_error(fmt::format("appender for {}: cannot add column {}", table, c));
  return a;
}

std::optional<std::int64_t> Connection::scalar_int(const std::string& sql) {
  auto rows = query(sql).rows();
  if (rows.empty() || rows[0].empty()) return std::nullopt;
  const Value& v = rows[0][0];
  if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  if (auto* b = std::get_if<bool>(&v)) return *b ? 1 : 0;
  if (auto* t = std::get_if<Timestamp>(&v)) return t->micros;
  if (auto* s = std::get_if<std::string>(&v)) return std::stoll(*s);
  return std::nullopt;
}

std::optional<std::string> Connection::scalar_string(const std::string& sql) {
  auto rows = query(sql).rows();
  if (rows.empty() || rows[0].empty() || std::holds_alternative<std::monostate>(rows[0][0])) return std::nullopt;
  return value_to_string(rows[0][0]);
}

// ---- Chunk ----------------------------------------------------------------

Chunk::~Chunk() {
  if (chunk_) duckdb_destroy_data_chunk(&chunk_);
}

Chunk& Chunk::operator=(Chunk&& o) noexcept {
  if (this != &o) {
    if (chunk_) duckdb_destroy_data_chunk(&chunk_);
    chunk_ = o.chunk_;
    o.chunk_ = nullptr;
  }
  return *this;
}

std::size_t Chunk::size() const { return chunk_ ? duckdb_data_chunk_get_size(chunk_) : 0; }

bool Chunk::is_null(std::size_t col, std::size_t row) const {
  uint64_t* validity = duckdb_vector_get_validity(duckdb_data_chunk_get_vector(chunk_, col));
  return validity && !duckdb_validity_row_is_valid(validity, row);
}

std::string_view Chunk::string(std::size_t col, std::size_t row) const {
  auto* strings = data<duckdb_string_t>(col);
  duckdb_string_t& s = const_cast<duckdb_string_t&>(strings[row]);
  uint32_t len = duckdb_string_t_length(s);
  return {duckdb_string_t_data(&s), len};
}

// ---- Result ---------------------------------------------------------------

Result::~Result() {
  if (valid_) duckdb_destroy_result(&res_);
}

Result::Result(Result&& o) noexcept : res_(o.res_), valid_(o.valid_) { o.valid_ = false; }

Result& Result::operator=(Result&& o) noexcept {
  if (this != &o) {
    if (valid_) duckdb_destroy_result(&res_);
    res_ = o.res_;
    valid_ = o.valid_;
    o.valid_ = false;
  }
  return *this;
}

std::size_t Result::column_count() { return valid_ ? duckdb_column_count(&res_) : 0; }
std::string Result::column_name(std::size_t col) { return duckdb_column_name(&res_, col); }
duckdb_type Result::column_type(std::size_t col) { return duckdb_column_type(&res_, col); }
std::int64_t Result::rows_changed() { return valid_ ? static_cast<std::int64_t>(duckdb_rows_changed(&res_)) : 0; }

Chunk Result::next_chunk() { return Chunk(valid_ ? duckdb_fetch_chunk(res_) : nullptr); }

std::vector<std::vector<Value>> Result::rows() {
  std::vector<std::vector<Value>> out;
  each_row([&](std::vector<Value>& row) { out.push_back(std::move(row)); });
  return out;
}

void Result::each_row(const std::function<void(std::vector<Value>&)>& on_row) {
  const std::size_t ncol = column_count();
  std::vector<duckdb_type> types(ncol);
  for (std::size_t c = 0; c < ncol; ++c) types[c] = column_type(c);
  for (Chunk chunk = next_chunk(); chunk && chunk.size() > 0; chunk = next_chunk()) {
    for (std::size_t r = 0; r < chunk.size(); ++r) {
      std::vector<Value> row(ncol);
      for (std::size_t c = 0; c < ncol; ++c) {
        if (chunk.is_null(c, r)) continue;
        switch (types[c]) {
          case DUCKDB_TYPE_BOOLEAN: row[c] = chunk.data<bool>(c)[r]; break;
          case DUCKDB_TYPE_TINYINT: row[c] = std::int64_t{chunk.data<int8_t>(c)[r]}; break;
          case DUCKDB_TYPE_SMALLINT: row[c] = std::int64_t{chunk.data<int16_t>(c)[r]}; break;
          case DUCKDB_TYPE_INTEGER: row[c] = std::int64_t{chunk.data<int32_t>(c)[r]}; break;
          case DUCKDB_TYPE_BIGINT: row[c] = chunk.data<int64_t>(c)[r]; break;
          case DUCKDB_TYPE_UTINYINT: row[c] = std::int64_t{chunk.data<uint8_t>(c)[r]}; break;
          case DUCKDB_TYPE_USMALLINT: row[c] = std::int64_t{chunk.data<uint16_t>(c)[r]}; break;
          case DUCKDB_TYPE_UINTEGER: row[c] = std::int64_t{chunk.data<uint32_t>(c)[r]}; break;
          case DUCKDB_TYPE_UBIGINT: row[c] = static_cast<std::int64_t>(chunk.data<uint64_t>(c)[r]); break;
          case DUCKDB_TYPE_FLOAT: row[c] = double{chunk.data<float>(c)[r]}; break;
          case DUCKDB_TYPE_DOUBLE: row[c] = chunk.data<double>(c)[r]; break;
          case DUCKDB_TYPE_TIMESTAMP:
          case DUCKDB_TYPE_TIMESTAMP_TZ: row[c] = Timestamp{chunk.data<int64_t>(c)[r]}; break;
          case DUCKDB_TYPE_DATE: {
            // days since epoch -> timestamp at midnight
            row[c] = Timestamp{std::int64_t{chunk.data<int32_t>(c)[r]} * 86'400'000'000LL};
            break;
          }
          case DUCKDB_TYPE_VARCHAR: row[c] = std::string(chunk.string(c, r)); break;
          case DUCKDB_TYPE_HUGEINT: {
            // sum() of BIGINT is HUGEINT: narrow to int64 (exact for our counts).
            duckdb_hugeint h = chunk.data<duckdb_hugeint>(c)[r];
            row[c] = static_cast<std::int64_t>(h.lower);
            break;
          }
          case DUCKDB_TYPE_DECIMAL: {
            duckdb_logical_type lt = duckdb_column_logical_type(&res_, c);
            const std::uint8_t scale = duckdb_decimal_scale(lt);
            const duckdb_type internal = duckdb_decimal_internal_type(lt);
            duckdb_destroy_logical_type(&lt);
            double unscaled = 0;
            switch (internal) {
              case DUCKDB_TYPE_SMALLINT: unscaled = chunk.data<int16_t>(c)[r]; break;
              case DUCKDB_TYPE_INTEGER: unscaled = chunk.data<int32_t>(c)[r]; break;
              case DUCKDB_TYPE_BIGINT: unscaled = static_cast<double>(chunk.data<int64_t>(c)[r]); break;
              default: {
                duckdb_hugeint h = chunk.data<duckdb_hugeint>(c)[r];
                unscaled = static_cast<double>(h.upper) * 18446744073709551616.0 + static_cast<double>(h.lower);
              }
            }
            double div = 1;
            for (int i = 0; i < scale; ++i) div *= 10;
            row[c] = unscaled / div;
            break;
          }
          default:
            throw DbError(fmt::format("column {} has a type (duckdb type {}) that rows() does not read; cast it in SQL",
                                      column_name(c), static_cast<int>(types[c])));
        }
      }
      on_row(row);
    }
  }
}

// ---- Statement ------------------------------------------------------------

Statement::~Statement() {
  if (stmt_) duckdb_destroy_prepare(&stmt_);
}

#define TOLTECA_CHECK_BIND(call)                                                              \
  do {                                                                                        \
    if ((call) == DuckDBError)                                                                \
      throw_error(fmt::format("cannot bind parameter {}: {}", idx,                            \
                              duckdb_prepare_error(stmt_) ? duckdb_prepare_error(stmt_) : "")); \
    return *this;                                                                             \
  } while (0)

Statement& Statement::bind(std::size_t idx, std::int64_t v) { TOLTECA_CHECK_BIND(duckdb_bind_int64(stmt_, idx, v)); }
Statement& Statement::bind(std::size_t idx, double v) { TOLTECA_CHECK_BIND(duckdb_bind_double(stmt_, idx, v)); }
Statement& Statement::bind(std::size_t idx, bool v) { TOLTECA_CHECK_BIND(duckdb_bind_boolean(stmt_, idx, v)); }
Statement& Statement::bind(std::size_t idx, std::string_view v) {
  TOLTECA_CHECK_BIND(duckdb_bind_varchar_length(stmt_, idx, v.data(), v.size()));
}
Statement& Statement::bind(std::size_t idx, Timestamp v) {
  TOLTECA_CHECK_BIND(duckdb_bind_timestamp(stmt_, idx, duckdb_timestamp{v.micros}));
}
Statement& Statement::bind_null(std::size_t idx) { TOLTECA_CHECK_BIND(duckdb_bind_null(stmt_, idx)); }
#undef TOLTECA_CHECK_BIND

Statement& Statement::bind_value(std::size_t idx, const Value& v) {
  struct Visitor {
    Statement& s;
    std::size_t i;
    Statement& operator()(std::monostate) const { return s.bind_null(i); }
    Statement& operator()(bool b) const { return s.bind(i, b); }
    Statement& operator()(std::int64_t x) const { return s.bind(i, x); }
    Statement& operator()(double d) const { return s.bind(i, d); }
    Statement& operator()(const std::string& str) const { return s.bind(i, std::string_view(str)); }
    Statement& operator()(Timestamp t) const { return s.bind(i, t); }
  };
  return std::visit(Visitor{*this, idx}, v);
}

Statement& Statement::clear() {
  duckdb_clear_bindings(stmt_);
  return *this;
}

std::size_t Statement::parameter_count() const { return duckdb_nparams(stmt_); }

Result Statement::execute() {
  duckdb_result res;
  if (duckdb_execute_prepared(stmt_, &res) == DuckDBError) {
    std::string msg = duckdb_result_error(&res) ? duckdb_result_error(&res) : "execute failed";
    duckdb_destroy_result(&res);
    throw_error(msg);
  }
  return Result(res);
}

// ---- Appender -------------------------------------------------------------

Appender::~Appender() {
  if (app_) duckdb_appender_destroy(&app_);  // flushes; errors are swallowed here
}

void Appender::check(duckdb_state st, const char* what) {
  if (st == DuckDBError) {
    const char* e = app_ ? duckdb_appender_error(app_) : "appender closed";
    throw_error(fmt::format("appender {} ({}): {}", table_, what, e ? e : ""));
  }
}

Appender& Appender::append(std::int64_t v) { check(duckdb_append_int64(app_, v), "int64"); return *this; }
Appender& Appender::append(double v) { check(duckdb_append_double(app_, v), "double"); return *this; }
Appender& Appender::append(bool v) { check(duckdb_append_bool(app_, v), "bool"); return *this; }
Appender& Appender::append(std::string_view v) {
  check(duckdb_append_varchar_length(app_, v.data(), v.size()), "varchar");
  return *this;
}
Appender& Appender::append(Timestamp v) {
  check(duckdb_append_timestamp(app_, duckdb_timestamp{v.micros}), "timestamp");
  return *this;
}
Appender& Appender::append_null() { check(duckdb_append_null(app_), "null"); return *this; }
Appender& Appender::end_row() { check(duckdb_appender_end_row(app_), "end_row"); return *this; }
void Appender::flush() { check(duckdb_appender_flush(app_), "flush"); }
void Appender::close() {
  if (!app_) return;
  duckdb_state st = duckdb_appender_close(app_);
  if (st == DuckDBError) {
    std::string e = duckdb_appender_error(app_) ? duckdb_appender_error(app_) : "";
    duckdb_appender_destroy(&app_);
    app_ = nullptr;
    throw_error(fmt::format("appender {} (close): {}", table_, e));
  }
  duckdb_appender_destroy(&app_);
  app_ = nullptr;
}

// ---- Transaction ----------------------------------------------------------

Transaction::Transaction(Connection& con) : con_(con) { con_.execute("BEGIN TRANSACTION"); }

Transaction::~Transaction() {
  if (!done_) {
    try {
      con_.execute("ROLLBACK");
    } catch (...) {
      // A failed statement may already have aborted the transaction.
    }
  }
}

void Transaction::commit() {
  con_.execute("COMMIT");
  done_ = true;
}

// ---- helpers --------------------------------------------------------------

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string quote_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + '\'';
}

std::string library_version() { return duckdb_library_version(); }

}  // namespace tolteca::storage::duckdb
