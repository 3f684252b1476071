#pragma once
// Database administration: locations, info, vacuum (export/import: db/backup.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/admin_store.h"
#include "storage/duckdb/session.h"

namespace tolteca::storage::duckdb {

using storage::Location;

// Creates the location, or updates its root path/priority. Returns it.
Location upsert_location(Session& s, const std::string& label, const std::string& root_path,
                         std::int64_t priority = 0);
std::optional<Location> find_location(Session& s, const std::string& label);
std::vector<Location> list_locations(Session& s);

using storage::TableCount;
using DbInfo = storage::RegistryInfo;

DbInfo db_info(Session& s);

// The tables of the schema, in dependency order (registries first).
const std::vector<std::string>& schema_tables();

// The id sequence that feeds a schema table's id column (nullptr: none).
const char* table_sequence(const std::string& table);

using storage::VacuumReport;
VacuumReport vacuum(Session& s);

std::optional<std::int64_t> database_file_size(const Session& s);
// The buffer manager's memory in use (all tags of duckdb_memory()), bytes.
std::optional<std::int64_t> database_memory(Session& s);

}  // namespace tolteca::storage::duckdb
