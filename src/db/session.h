#pragma once
// An open tolteca database: URL, DuckDB database and one connection, with the
// schema checked. The only way the rest of the engine reaches a database.
#include <memory>
#include <string>
#include <vector>

#include "db/duckdb.h"
#include "db/url.h"

namespace tolteca::db {

enum class OpenMode {
  ReadOnly,   // queries: never creates, never writes; other readers may share the file
  ReadWrite,  // ingest, assoc: the database must exist with a current schema
  Create,     // db init: creates the file and schema when missing
};

struct OpenOptions {
  OpenMode mode = OpenMode::ReadWrite;
  // When another process holds the write lock: wait up to this long, retrying.
  double wait_seconds = 0;
};

class Session {
 public:
  // Throws UserError for a missing database (ReadOnly/ReadWrite), a lock held
  // by another process ("database X is locked by another process (pid N)"),
  // or a schema of another version.
  static std::unique_ptr<Session> open(const DbUrl& url, const OpenOptions& options);
  static std::unique_ptr<Session> open(const std::string& url_text, const OpenOptions& options) {
    return open(parse_db_url(url_text), options);
  }

  Connection& con() { return *con_; }
  Database& database() { return *db_; }
  const DbUrl& url() const { return url_; }
  bool read_only() const { return mode_ == OpenMode::ReadOnly; }
  // Human name for messages: the file path or ":memory:".
  std::string display_name() const { return url_.path; }
  // The files the database lives in (the file and its .wal; none in memory):
  // outputs must never be written over them (files::OutputPolicy::protected_paths).
  std::vector<std::string> own_files() const {
    if (url_.in_memory()) return {};
    return {url_.path, url_.path + ".wal"};
  }
  // True when open() created the schema just now (Create mode).
  bool created_schema() const { return created_schema_; }

 private:
  Session() = default;
  DbUrl url_;
  OpenMode mode_ = OpenMode::ReadWrite;
  bool created_schema_ = false;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Connection> con_;
};

}  // namespace tolteca::db
