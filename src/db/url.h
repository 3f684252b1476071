#pragma once
// Database URLs. Supported:
//   duckdb:///relative/path.duckdb   (path after "duckdb:///", as SQLAlchemy)
//   duckdb:////absolute/path.duckdb
//   duckdb:///:memory:
//   plain/path.duckdb                (any path ending in .duckdb)
// The default is $TOLTECA_DB_URL, else duckdb:///./tolteca.duckdb.
#include <string>
#include <string_view>

namespace tolteca::db {

struct DbUrl {
  std::string backend;  // "duckdb"
  std::string path;     // file path, or ":memory:"
  std::string text;     // as given
  bool in_memory() const { return path == ":memory:"; }
};

inline constexpr const char* kDefaultDbUrl = "duckdb:///./tolteca.duckdb";

// Throws UserError naming the URL and listing the supported forms.
DbUrl parse_db_url(std::string_view text);
// $TOLTECA_DB_URL if set and non-empty, else kDefaultDbUrl.
std::string default_db_url();

}  // namespace tolteca::db
