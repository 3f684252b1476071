#pragma once
// Opening a registry from a URL: the one place that knows which backends
// exist. Supported URLs:
//   duckdb:///relative/path.duckdb   (path after "duckdb:///", as SQLAlchemy)
//   duckdb:////absolute/path.duckdb
//   duckdb:///:memory:
//   plain/path.duckdb                (any path ending in .duckdb)
// A PostgreSQL backend adds "postgresql://host/db" in open.cpp; nothing above
// storage/ changes.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "storage/options.h"
#include "storage/registry.h"

namespace tolteca::storage {

struct RegistryUrl {
  std::string backend;  // "duckdb"
  std::string path;     // file path, or ":memory:"
  std::string text;     // as given
  bool in_memory() const { return path == ":memory:"; }
};

inline constexpr const char* kDefaultRegistryUrl = "duckdb:///./tolteca.duckdb";

// Throws UserError naming the URL and listing the supported forms.
RegistryUrl parse_registry_url(std::string_view text);

// configured (e.g. $TOLTECA_DB_URL, read by the CLI) when set and non-empty, else kDefaultRegistryUrl.
std::string default_registry_url(const std::optional<std::string>& configured);

// True when the registry the URL names exists (DuckDB: the file; in memory: never).
// Throws UserError for a malformed URL.
bool registry_exists(std::string_view url);

// The backends this build has and their library versions, for --version: "DuckDB v1.4.4".
std::string backend_versions();

// Opens the registry: checks the path, takes the single-writer lock unless
// ReadOnly (waiting up to options.wait_seconds), creates the schema (Create)
// or checks/migrates it. Throws RegistryMissing, RegistryLocked,
// RegistryNotWritable (storage/errors.h), or UserError (a schema of another
// version, a foreign file, an unreadable path).
std::unique_ptr<Registry> open_registry(std::string_view url, const OpenOptions& options);

}  // namespace tolteca::storage
