#pragma once
// The tolteca_db schema, its version, and the migrations between versions.
// Migrations are code: opening a database of an older version upgrades it in
// one transaction; a newer version is refused with a clear message.
#include <optional>

#include "storage/duckdb/duckdb.h"

namespace tolteca::storage::duckdb {

// 1: the first schema. 2: obs_file_summary (file_summary.h).
inline constexpr int kSchemaVersion = 2;

// The version recorded in the database; nullopt when it has no schema (or no version row). A value that
// is not a positive number is a UserError.
std::optional<int> read_schema_version(Connection& con);
// Creates the schema and fills the registries (product types, association
// types, data kinds), or migrates an older one. Idempotent. Returns true when
// the schema was created now (false: it already existed). A database without a
// version row: empty -> created; every version-1 table and sequence present ->
// the version row is restored (an event records it); anything else (a foreign
// DuckDB file, a partial schema) -> UserError naming db_name and the tables found.
bool create_or_migrate_schema(Connection& con, const std::string& db_name);
// Throws UserError when the database has no schema, or one of another version
// (the message says what 'db init' would do, or that it would refuse).
void require_current_schema(Connection& con, const std::string& db_name);

}  // namespace tolteca::storage::duckdb
