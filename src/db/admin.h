#pragma once
// Database administration: locations, info, vacuum (export/import: db/backup.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/session.h"

namespace tolteca::db {

struct Location {
  std::int64_t id = 0;
  std::string label;
  std::string root_path;
  std::int64_t priority = 0;
};

// Creates the location, or updates its root path/priority. Returns it.
Location upsert_location(Session& s, const std::string& label, const std::string& root_path,
                         std::int64_t priority = 0);
std::optional<Location> find_location(Session& s, const std::string& label);
std::vector<Location> list_locations(Session& s);

struct TableCount {
  std::string table;
  std::int64_t rows = 0;
};

struct DbInfo {
  std::string url;
  std::string path;
  std::string duckdb_version;
  int schema_version = 0;
  std::optional<std::int64_t> file_size;  // bytes; none in memory
  std::vector<TableCount> tables;
  std::vector<Location> locations;
  struct Registry {  // product_types / assoc_types / data_kinds rows
    std::string name, description;
    std::int64_t bit = 0;  // data_kinds only
  };
  std::vector<Registry> product_types, assoc_types, data_kinds;
};

DbInfo db_info(Session& s);

// The tables of the schema, in dependency order (registries first).
const std::vector<std::string>& schema_tables();

// The id sequence that feeds a schema table's id column (nullptr: none).
const char* table_sequence(const std::string& table);

struct VacuumReport {
  std::optional<std::int64_t> size_before;
  std::optional<std::int64_t> size_after;
};
VacuumReport vacuum(Session& s);

std::optional<std::int64_t> database_file_size(const Session& s);

}  // namespace tolteca::db
