#pragma once
// The storage interface: an open tolteca registry (in the spirit of leveldb's
// include/leveldb/db.h). Everything above storage/ (ingest/, assoc/, query/,
// cli/) reaches the registry only through this class and its sub-interfaces;
// no backend type, connection or query text crosses it.
//
//   storage/ingest_store.h    ingest writes: bulk append of a batch of files in one transaction
//   storage/query_store.h     queries: obs, files, groups, stats, provenance, coverage, export, export columns
//   storage/admin_store.h     admin: info, vacuum, backup export/import, schema state
//   storage/location_store.h  locations and their file rows
//   storage/assoc_store.h     associations: facts, groups, edges, state, named groups (see assoc() below)
//   storage/fixture_store.h   fixtures: synthetic raw observations written directly (tests, benchmarks)
//   storage/options.h         open mode, the single-writer lock's wait, ingest and backup options
//   storage/errors.h          typed errors (facts, no command-line flags)
//   storage/open.h            URL -> backend: open_registry()
//
// Contract shared by every operation of every sub-interface:
// - Transactions: each write operation is one transaction (all or nothing);
//   reads see a consistent snapshot. A caller never begins/commits itself.
// - Writers: one writer process at a time (the single-writer lock taken at
//   open, storage/options.h OpenOptions::wait_seconds). A registry opened
//   ReadOnly throws UserError from every write operation (the backend's own
//   read-only refusal).
// - Threads: a Registry is used from one thread at a time, except
//   IngestStore::load_snapshot_concurrently.
// - Errors: UserError (and the typed errors of storage/errors.h) for what the
//   user can fix; anything else is a bug or a backend failure.
//
// Backends: storage/duckdb/ (today). A PostgreSQL backend (later) implements
// the same classes: COPY FROM STDIN for IngestWriter::write_batch,
// pg_advisory_lock for the single-writer lock, server-side cursors for the
// RowSink queries, and registers its URL scheme in storage/open.cpp.
#include <string>
#include <vector>

#include "storage/admin_store.h"
#include "storage/assoc_store.h"
#include "storage/fixture_store.h"
#include "storage/ingest_store.h"
#include "storage/location_store.h"
#include "storage/options.h"
#include "storage/query_store.h"

namespace tolteca::storage {

class Registry {
 public:
  virtual ~Registry() = default;
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The URL as given (e.g. "duckdb:///./tolteca.duckdb").
  virtual const std::string& url_text() const = 0;
  // Human name for messages: the file path, ":memory:", or host/database.
  virtual std::string display_name() const = 0;
  virtual bool read_only() const = 0;
  // Local files the registry lives in (DuckDB: the file and its .wal; none in
  // memory or on a server): outputs must never be written over them
  // (files::OutputPolicy::protected_paths).
  virtual std::vector<std::string> own_files() const = 0;

  // Another handle on this same open registry, for use from another thread (a server answers
  // many callers from one open registry): its own transactions and snapshot, so it reads the
  // last committed state and never another handle's half-written transaction. It shares this
  // handle's single-writer lock (no new lock is taken), so writers among the handles must be
  // serialised by the caller. mode ReadOnly: a handle for reads (writes through it are the
  // caller's bug; DuckDB cannot refuse them per connection). Never blocks on other handles.
  // DuckDB: a new connection on the same database instance; PostgreSQL: a new connection.
  virtual std::unique_ptr<Registry> another_handle(OpenMode mode) const = 0;

  virtual IngestStore& ingest() = 0;
  virtual QueryStore& query() = 0;
  virtual AdminStore& admin() = 0;
  virtual LocationStore& locations() = 0;

  // Associations (storage/assoc_store.h). The one exception to "a caller
  // never begins/commits": a generation reads and writes in one snapshot and
  // commits its diff, state and event together, so AssocStore has an explicit
  // begin()/commit() (PostgreSQL: BEGIN ISOLATION LEVEL REPEATABLE READ).
  virtual AssocStore& assoc() = 0;

  // Synthetic registries for tests and benchmarks (storage/fixture_store.h):
  // rows written directly, the way ingest would leave them.
  virtual FixtureStore& fixtures() = 0;
};

}  // namespace tolteca::storage
