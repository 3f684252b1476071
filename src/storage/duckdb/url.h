#pragma once
// The DuckDB backend's names for the registry URL (storage/open.h parses it).
#include <string>
#include <string_view>

#include "storage/open.h"

namespace tolteca::storage::duckdb {

using DbUrl = RegistryUrl;
inline constexpr const char* kDefaultDbUrl = kDefaultRegistryUrl;
inline DbUrl parse_db_url(std::string_view text) { return parse_registry_url(text); }

}  // namespace tolteca::storage::duckdb
