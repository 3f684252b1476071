#pragma once
// An open tolteca database: URL, DuckDB database and one connection, with the
// schema checked. The DuckDB backend's handle; above storage/ the registry
// is reached only through storage::Registry (storage/duckdb/registry.h wraps a Session).
#include <memory>
#include <string>
#include <vector>

#include "storage/duckdb/duckdb.h"
#include "storage/duckdb/url.h"
#include "storage/options.h"

namespace tolteca::storage::duckdb {

// The interface's open options (storage/options.h), under the names the backend and its callers use.
using storage::OpenMode;
using storage::OpenOptions;

class Session {
 public:
  // Throws storage::RegistryMissing (ReadOnly/ReadWrite), RegistryLocked (a
  // lock held by another process after options.wait_seconds),
  // RegistryNotWritable, or UserError (a schema of another version, a path that is a directory, ...).
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
  // Another session on the same open database, for another thread: its own connection, so its own
  // transactions and snapshot (it sees what other sessions have committed, never their open
  // transactions). The database stays open while any session on it lives. mode: ReadOnly marks the
  // session read-only for callers (the database itself was opened by the first session).
  std::unique_ptr<Session> another(OpenMode mode) const;
  // True when open() created the schema just now (Create mode).
  bool created_schema() const { return created_schema_; }

 private:
  Session() = default;
  DbUrl url_;
  OpenMode mode_ = OpenMode::ReadWrite;
  bool created_schema_ = false;
  std::shared_ptr<Database> db_;  // shared by the sessions of another()
  std::unique_ptr<Connection> con_;
};

}  // namespace tolteca::storage::duckdb
