#pragma once
// Options of the storage interface (leveldb include/leveldb/options.h style):
// every knob a backend honours, documented field by field. The library never
// reads the environment for these; the CLI (or a test, or a bench) fills them.
#include <cstdint>
#include <optional>
#include <string>

namespace tolteca::storage {

// What opening a registry may do.
enum class OpenMode {
  ReadOnly,   // queries: never creates, never writes; other readers may share the registry
  ReadWrite,  // ingest, assoc, admin: the registry must exist with a current schema
  Create,     // db init and ingest into a new database: creates the registry and its schema when missing
};

// Association store options (storage/assoc_store.h).
struct AssocOptions {
  // Print every query the store runs, with its time, on stderr
  // ("[assoc sql   1.23 ms] SELECT ..."). The CLI sets it from TOLTECA_ASSOC_TRACE.
  bool trace = false;
};

// How open_registry() (storage/open.h) opens a registry.
struct OpenOptions {
  // What the opened registry may do; see OpenMode.
  OpenMode mode = OpenMode::ReadWrite;

  // Single-writer lock. Every backend allows one writer at a time (DuckDB:
  // the database file's lock; PostgreSQL: pg_advisory_lock on the registry's
  // key). When another process holds it, open retries for up to this many
  // seconds, then throws RegistryLocked. 0: fail at once.
  double wait_seconds = 0;

  // Options of the registry's association store (Registry::assoc()).
  AssocOptions assoc;
};

// Ingest writes (storage/ingest_store.h).
struct IngestOptions {
  // Print per-phase timings of every batch on stderr ("ingest-trace: ...").
  // The CLI sets it from TOLTECA_INGEST_TRACE.
  bool trace = false;

  // Threads the backend may use while a batch is written (DuckDB: SET
  // threads for the duration of the writer; the old value is restored).
  // nullopt: the backend's choice (DuckDB: 1, measured fastest: the other cores walk and parse). The CLI sets it from
  // TOLTECA_INGEST_DB_THREADS.
  std::optional<int> db_threads;
};

// Backups (`db export`, storage/admin_store.h).
struct BackupExportOptions {
  // Test hook (fault injection): after writing this many table files the
  // process SIGKILLs itself, to prove a kill leaves the old export or none.
  // nullopt: off. The CLI sets it from TOLTECA_FAULT_EXPORT_KILL_AFTER.
  std::optional<int> kill_after_tables;
};

}  // namespace tolteca::storage
