// Bulk appends through data chunks, see chunk_appender.h.
#include "storage/duckdb/chunk_appender.h"

#include <fmt/format.h>

namespace tolteca::storage::duckdb {

ChunkAppender::ChunkAppender(Connection& con, const char* table, std::span<const char* const> columns)
    : table_(table) {
  // A throwing constructor runs no destructor: a failed create or add_column destroys the
  // appender here (DuckDB allocates it even when the create fails).
  auto give_up = [&](const char* what) {
    try {
      fail(what);
    } catch (...) {
      if (app_) duckdb_appender_destroy(&app_);
      throw;
    }
  };
  if (duckdb_appender_create(con.handle(), nullptr, table, &app_) == DuckDBError) give_up("create");
  for (const char* c : columns)
    if (duckdb_appender_add_column(app_, c) == DuckDBError) give_up(c);
  ncol_ = duckdb_appender_column_count(app_);
  std::vector<duckdb_logical_type> types(ncol_);
  types_.resize(ncol_);
  for (idx_t i = 0; i < ncol_; ++i) {
    types[i] = duckdb_appender_column_type(app_, i);
    types_[i] = duckdb_get_type_id(types[i]);
  }
  chunk_ = duckdb_create_data_chunk(types.data(), ncol_);
  for (auto& t : types) duckdb_destroy_logical_type(&t);
  cap_ = duckdb_vector_size();
  bind_vectors();
}

ChunkAppender::~ChunkAppender() {
  if (chunk_) duckdb_destroy_data_chunk(&chunk_);
  if (app_) duckdb_appender_destroy(&app_);
}

void ChunkAppender::close() {
  flush_chunk();
  if (duckdb_appender_close(app_) == DuckDBError) fail("close");
}

void ChunkAppender::fail(const char* what) {
  std::string e = app_ && duckdb_appender_error(app_) ? duckdb_appender_error(app_) : "";
  throw DbError(fmt::format("appender {} ({}): {}", table_, what, e));
}

void ChunkAppender::not_integer(std::size_t col) {
  throw DbError(fmt::format("appender {}: column {} is not an integer column", table_, col));
}

void ChunkAppender::bind_vectors() {
  vec_.resize(ncol_);
  data_.resize(ncol_);
  for (idx_t i = 0; i < ncol_; ++i) {
    vec_[i] = duckdb_data_chunk_get_vector(chunk_, i);
    data_[i] = duckdb_vector_get_data(vec_[i]);
  }
}

void ChunkAppender::flush_chunk() {
  if (row_ == 0) return;
  duckdb_data_chunk_set_size(chunk_, row_);
  if (duckdb_append_data_chunk(app_, chunk_) == DuckDBError) fail("append chunk");
  duckdb_data_chunk_reset(chunk_);
  row_ = 0;
  bind_vectors();
}

}  // namespace tolteca::storage::duckdb
