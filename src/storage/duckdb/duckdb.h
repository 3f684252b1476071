#pragma once
// A small RAII layer over DuckDB's stable C API (duckdb.h): database,
// connection, prepared statement with typed binds, appender, result/chunk
// reading, transaction guard; bulk appends through data chunks are chunk_appender.h.
// Every failure throws DbError carrying DuckDB's own message. Nothing here knows
// the tolteca schema.
#include <duckdb.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tolteca::storage::duckdb {

class DbError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Another process holds the database file open for writing.
class DbLockedError : public DbError {
 public:
  using DbError::DbError;
};

// A DuckDB TIMESTAMP (microseconds since the Unix epoch, UTC).
struct Timestamp {
  std::int64_t micros = 0;
  bool operator==(const Timestamp&) const = default;
};

// One cell of a generic result, for small results and for printing.
using Value = std::variant<std::monostate, bool, std::int64_t, double, std::string, Timestamp>;
std::string value_to_string(const Value& v);  // "" for NULL

class Database {
 public:
  // path: a file path or ":memory:". Autoloading/installing extensions is off
  // (this machine cannot download them). read_only opens with access_mode.
  explicit Database(const std::string& path, bool read_only = false,
                    const std::map<std::string, std::string>& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  duckdb_database handle() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  duckdb_database db_ = nullptr;
  std::string path_;
};

class Result;
class Statement;
class Appender;

class Connection {
 public:
  explicit Connection(Database& db);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements; returns the result of the last.
  Result query(const std::string& sql);
  void execute(const std::string& sql);
  Statement prepare(const std::string& sql);
  Appender appender(const std::string& table, const std::string& schema = "");
  // An appender on a subset of the table's columns (the others take their defaults).
  Appender appender(const std::string& table, const std::vector<const char*>& columns);
  // Convenience: first column of first row, nullopt when no row or NULL.
  std::optional<std::int64_t> scalar_int(const std::string& sql);
  std::optional<std::string> scalar_string(const std::string& sql);

  duckdb_connection handle() const { return con_; }

 private:
  duckdb_connection con_ = nullptr;
};

// A chunk of a result: typed, zero-copy access to column vectors.
class Chunk {
 public:
  explicit Chunk(duckdb_data_chunk c) : chunk_(c) {}
  ~Chunk();
  Chunk(Chunk&& o) noexcept : chunk_(o.chunk_) { o.chunk_ = nullptr; }
  Chunk& operator=(Chunk&& o) noexcept;
  Chunk(const Chunk&) = delete;

  explicit operator bool() const { return chunk_ != nullptr; }
  std::size_t size() const;
  bool is_null(std::size_t col, std::size_t row) const;
  // Raw column data; T must match the physical type (int64_t for BIGINT and
  // TIMESTAMP, int32_t for INTEGER, int16_t SMALLINT, double DOUBLE, bool BOOLEAN, uint32_t UINTEGER).
  template <typename T>
  const T* data(std::size_t col) const {
    return static_cast<const T*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk_, col)));
  }
  std::string_view string(std::size_t col, std::size_t row) const;  // VARCHAR/JSON
  // Validity mask of a column (bit row%64 of word row/64 set = valid);
  // nullptr when every row is valid. For fast NULL checks in bulk reads.
  const std::uint64_t* validity(std::size_t col) const {
    return duckdb_vector_get_validity(duckdb_data_chunk_get_vector(chunk_, col));
  }
  static bool valid(const std::uint64_t* mask, std::size_t row) {
    return !mask || (mask[row / 64] >> (row % 64)) & 1;
  }

 private:
  duckdb_data_chunk chunk_ = nullptr;
};

class Result {
 public:
  Result() = default;
  explicit Result(duckdb_result r) : res_(r), valid_(true) {}
  ~Result();
  Result(Result&& o) noexcept;
  Result& operator=(Result&& o) noexcept;
  Result(const Result&) = delete;

  std::size_t column_count();
  std::string column_name(std::size_t col);
  duckdb_type column_type(std::size_t col);
  std::int64_t rows_changed();
  // Next chunk of rows; an empty (false) chunk at the end.
  Chunk next_chunk();
  // Reads everything into memory (for small results and printing).
  std::vector<std::vector<Value>> rows();
  // The rows one at a time, as rows() reads them, without holding them all (the callback may move
  // the values out of the row it is handed).
  void each_row(const std::function<void(std::vector<Value>&)>& on_row);

 private:
  duckdb_result res_{};
  bool valid_ = false;
};

class Statement {
 public:
  Statement(duckdb_prepared_statement s) : stmt_(s) {}
  ~Statement();
  Statement(Statement&& o) noexcept : stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;

  // Parameters are 1-based as in DuckDB.
  Statement& bind(std::size_t idx, std::int64_t v);
  Statement& bind(std::size_t idx, int v) { return bind(idx, static_cast<std::int64_t>(v)); }
  Statement& bind(std::size_t idx, double v);
  Statement& bind(std::size_t idx, bool v);
  Statement& bind(std::size_t idx, std::string_view v);
  Statement& bind(std::size_t idx, const char* v) { return bind(idx, std::string_view(v)); }
  Statement& bind(std::size_t idx, const std::string& v) { return bind(idx, std::string_view(v)); }
  Statement& bind(std::size_t idx, Timestamp v);
  Statement& bind_null(std::size_t idx);
  template <typename T>
  Statement& bind(std::size_t idx, const std::optional<T>& v) {
    return v ? bind(idx, *v) : bind_null(idx);
  }
  Statement& bind_value(std::size_t idx, const Value& v);
  Statement& clear();
  std::size_t parameter_count() const;
  Result execute();

 private:
  duckdb_prepared_statement stmt_ = nullptr;
};

class Appender {
 public:
  Appender(duckdb_appender a, std::string table) : app_(a), table_(std::move(table)) {}
  ~Appender();
  Appender(Appender&& o) noexcept : app_(o.app_), table_(std::move(o.table_)) { o.app_ = nullptr; }
  Appender& operator=(Appender&&) = delete;
  Appender(const Appender&) = delete;

  Appender& append(std::int64_t v);
  Appender& append(int v) { return append(static_cast<std::int64_t>(v)); }
  Appender& append(double v);
  Appender& append(bool v);
  Appender& append(std::string_view v);
  Appender& append(const char* v) { return append(std::string_view(v)); }
  Appender& append(const std::string& v) { return append(std::string_view(v)); }
  Appender& append(Timestamp v);
  Appender& append_null();
  template <typename T>
  Appender& append(const std::optional<T>& v) {
    return v ? append(*v) : append_null();
  }
  Appender& end_row();
  void flush();
  void close();  // flushes; further use throws
  duckdb_appender handle() const { return app_; }

 private:
  void check(duckdb_state st, const char* what);
  duckdb_appender app_ = nullptr;
  std::string table_;
};

// BEGIN on construction; ROLLBACK on destruction unless commit() ran.
class Transaction {
 public:
  explicit Transaction(Connection& con);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& con_;
  bool done_ = false;
};

// Quote a SQL identifier ("name") or string literal ('text') safely; for the
// few places where DuckDB cannot take a parameter (COPY targets, PRAGMAs).
std::string quote_identifier(std::string_view name);
std::string quote_literal(std::string_view text);

std::string library_version();

}  // namespace tolteca::storage::duckdb
