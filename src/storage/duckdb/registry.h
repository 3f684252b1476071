#pragma once
// The DuckDB backend of storage::Registry (storage/registry.h): a Session
// (one database, one connection) behind the interface. The sub-interfaces
// delegate to the backend's files, one per area: ingest_repo (IngestWriter),
// query_repo + coverage_repo (QueryStore), admin + backup (AdminStore),
// admin + location_repo (LocationStore).
#include <memory>

#include "storage/duckdb/session.h"
#include "storage/registry.h"

namespace tolteca::storage::duckdb {

// Opens a DuckDB registry (storage/open.h open_registry() calls this).
std::unique_ptr<Registry> open(const RegistryUrl& url, const OpenOptions& options);

// A registry around an open session (tests and tools that made the session themselves).
std::unique_ptr<Registry> wrap(std::unique_ptr<Session> session);

// A registry over a session the caller keeps open (and must outlive it): for
// tests and benches that also read the database directly.
std::unique_ptr<Registry> borrow(Session& session);

}  // namespace tolteca::storage::duckdb
