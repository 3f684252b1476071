#pragma once
// Administration of a registry: what it holds (info), compaction (vacuum),
// backups (export to files / import from them), the schema (created with
// open_registry's OpenMode::Create, migrated on open; see storage/open.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/location_store.h"
#include "storage/options.h"

namespace tolteca::storage {

struct TableCount {
  std::string table;
  std::int64_t rows = 0;
};

struct RegistryInfo {
  std::string url;
  std::string path;
  std::string backend_version;  // e.g. DuckDB's library version
  int schema_version = 0;
  std::optional<std::int64_t> file_size;  // bytes; none in memory or on a server
  std::vector<TableCount> tables;
  std::vector<Location> locations;
  struct Registry {  // product_types / assoc_types / data_kinds rows
    std::string name, description;
    std::int64_t bit = 0;  // data_kinds only
  };
  std::vector<Registry> product_types, assoc_types, data_kinds;
};

struct VacuumReport {
  std::optional<std::int64_t> size_before;
  std::optional<std::int64_t> size_after;
};

enum class BackupFormat { parquet, csv };

struct ExportedFile {
  std::string table;
  std::string path;
  std::int64_t rows = 0;
  std::string sha256;
};

inline constexpr const char* kManifestFile = "manifest.json";

struct BackupImportOptions {
  std::vector<std::string> tables;  // empty: every table (the export must be complete)
  bool verify = true;               // false: no manifest needed (exports made before manifests)
};

class AdminStore {
 public:
  virtual ~AdminStore() = default;

  // Reads: URL, backend version, schema version, size, rows per table, locations, registries.
  virtual RegistryInfo info() = 0;
  // Writes: reclaims space (DuckDB: CHECKPOINT/VACUUM; PostgreSQL: VACUUM). Needs the writer lock.
  virtual VacuumReport vacuum() = 0;
  // Size of the registry's storage in bytes; nullopt when it has no file.
  virtual std::optional<std::int64_t> size_bytes() = 0;
  // Memory the backend holds for this database (DuckDB: what its buffer manager has in use, cached
  // blocks included, duckdb_memory()); nullopt when the backend does not say.
  virtual std::optional<std::int64_t> memory_bytes() = 0;

  // Reads the registry, writes out_dir: one file per table plus manifest.json
  // (written last; the directory is swapped into place whole: a kill leaves
  // the old export or nothing). tables empty = all. Refuses (UserError) an
  // unknown table, a non-empty out_dir that is not an earlier export (or any
  // unless force), one that holds the registry. Contract details:
  // storage/duckdb/backup.h.
  virtual std::vector<ExportedFile> export_backup(const std::string& out_dir, const std::vector<std::string>& tables,
                                                  BackupFormat format, bool force,
                                                  const BackupExportOptions& options = {}) = 0;
  // Writes (one transaction; on any error nothing is imported): restores an
  // export into a registry with no products or sources, after checking the
  // manifest (schema version, SHA-256 and row count of every file) unless
  // !verify; advances the id sequences past the restored ids.
  virtual std::vector<ExportedFile> import_backup(const std::string& in_dir, const BackupImportOptions& options = {}) = 0;

  // True when the registry was opened with OpenMode::Create and its schema created just now.
  virtual bool created_schema() const = 0;
};

}  // namespace tolteca::storage
