#pragma once
// Bulk appends through DuckDB data chunks (part of the RAII wrapper, duckdb.h): the column vectors of a
// chunk are filled directly and handed to the appender a chunk at a time. Several times faster than
// value-by-value appends (Appender in duckdb.h); the ingest writer stages every batch this way.
//
//   ChunkAppender a(con, "sources", {"product_id", "rel_path", "size"});
//   for (...) { a.i64(0, id); a.str(1, path); a.i64(2, size); a.end_row(); }
//   a.close();                      // everything is in the table (within the connection's transaction)
//
// Only the listed columns are given; the others take their defaults (ids from sequences). Cells are
// addressed by their index in `columns`; every cell of a row must be set (or null()) before end_row().
// A failure throws DbError naming the table and DuckDB's message. Not thread-safe (one connection).
// The per-cell calls are inline: they run once per row and column of every batch.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/duckdb/duckdb.h"

namespace tolteca::storage::duckdb {

class ChunkAppender {
 public:
  // An appender on `columns` of `table` (in this order).
  ChunkAppender(Connection& con, const char* table, std::span<const char* const> columns);
  ChunkAppender(Connection& con, const char* table, std::initializer_list<const char*> columns)
      : ChunkAppender(con, table, std::span<const char* const>(columns.begin(), columns.size())) {}
  ~ChunkAppender();
  ChunkAppender(const ChunkAppender&) = delete;
  ChunkAppender& operator=(const ChunkAppender&) = delete;

  // An integer cell (BIGINT, TIMESTAMP as microseconds, INTEGER, SMALLINT: narrowed); nullopt is NULL.
  // Throws DbError on a column of another type.
  void i64(std::size_t col, std::optional<std::int64_t> v) {
    if (!v) return null(col);
    switch (types_[col]) {
      case DUCKDB_TYPE_BIGINT:
      case DUCKDB_TYPE_TIMESTAMP: static_cast<std::int64_t*>(data_[col])[row_] = *v; break;
      case DUCKDB_TYPE_INTEGER: static_cast<std::int32_t*>(data_[col])[row_] = static_cast<std::int32_t>(*v); break;
      case DUCKDB_TYPE_SMALLINT: static_cast<std::int16_t*>(data_[col])[row_] = static_cast<std::int16_t>(*v); break;
      default: not_integer(col);
    }
  }
  // A BOOLEAN cell.
  void boolean(std::size_t col, bool v) { static_cast<bool*>(data_[col])[row_] = v; }
  // A DOUBLE cell; nullopt is NULL.
  void dbl(std::size_t col, std::optional<double> v) {
    if (!v) return null(col);
    static_cast<double*>(data_[col])[row_] = *v;
  }
  // A VARCHAR (or JSON text) cell; the text is copied into the chunk.
  void str(std::size_t col, std::string_view v) {
    duckdb_vector_assign_string_element_len(vec_[col], row_, v.data(), v.size());
  }
  void str(std::size_t col, const std::optional<std::string>& v) {
    if (!v) return null(col);
    str(col, std::string_view(*v));
  }
  // A NULL cell.
  void null(std::size_t col) {
    duckdb_vector_ensure_validity_writable(vec_[col]);
    duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vec_[col]), row_);
  }
  // Ends the row; a full chunk goes to the appender.
  void end_row() {
    if (++row_ == cap_) flush_chunk();
  }
  // Flushes everything into the table (within the connection's transaction). Call once, at the end;
  // without it (an exception on the way) the destructor drops what was not flushed.
  void close();

 private:
  [[noreturn]] void fail(const char* what);
  [[noreturn]] void not_integer(std::size_t col);
  void bind_vectors();
  void flush_chunk();

  std::string table_;
  duckdb_appender app_ = nullptr;
  duckdb_data_chunk chunk_ = nullptr;
  idx_t ncol_ = 0, cap_ = 0, row_ = 0;
  std::vector<duckdb_type> types_;
  std::vector<duckdb_vector> vec_;
  std::vector<void*> data_;
};

}  // namespace tolteca::storage::duckdb
