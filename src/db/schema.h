#pragma once
// The tolteca_db schema, its version, and the migrations between versions.
// Migrations are code: opening a database of an older version upgrades it in
// one transaction; a newer version is refused with a clear message.
#include <optional>

#include "db/duckdb.h"

namespace tolteca::db {

inline constexpr int kSchemaVersion = 1;

// The version recorded in the database; nullopt when it has no schema.
std::optional<int> read_schema_version(Connection& con);
// Creates the schema and fills the registries (product types, association
// types, data kinds), or migrates an older one. Idempotent. Returns true when
// the schema was created now (false: it already existed).
bool create_or_migrate_schema(Connection& con);
// Throws UserError when the database has no schema, or one of another version.
void require_current_schema(Connection& con, const std::string& db_name);

}  // namespace tolteca::db
