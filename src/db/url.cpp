#include "db/url.h"

#include <fmt/format.h>

#include <cstdlib>

#include "model/error.h"

namespace tolteca::db {

namespace {
constexpr std::string_view kSupported =
    "supported: duckdb:///relative/path.duckdb, duckdb:////absolute/path.duckdb, duckdb:///:memory:, "
    "or a plain path ending in .duckdb";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
}  // namespace

DbUrl parse_db_url(std::string_view text) {
  DbUrl url;
  url.text = std::string(text);
  if (text.empty()) throw UserError(fmt::format("empty database URL; {}", kSupported));
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    if (ends_with(text, ".duckdb")) {
      url.backend = "duckdb";
      url.path = std::string(text);
      return url;
    }
    throw UserError(fmt::format("'{}' is not a database URL; {}", text, kSupported));
  }
  std::string_view scheme = text.substr(0, scheme_end);
  if (scheme != "duckdb")
    throw UserError(fmt::format("unsupported database URL scheme '{}' in '{}'; {}", scheme, text, kSupported));
  std::string_view rest = text.substr(scheme_end + 3);
  if (rest.empty() || rest[0] != '/')
    throw UserError(fmt::format("database URL '{}' has a host part or no path; {}", text, kSupported));
  rest.remove_prefix(1);
  if (rest.empty()) throw UserError(fmt::format("database URL '{}' has no path; {}", text, kSupported));
  url.backend = "duckdb";
  url.path = std::string(rest);
  return url;
}

std::string default_db_url() {
  const char* env = std::getenv("TOLTECA_DB_URL");
  if (env && *env) return env;
  return kDefaultDbUrl;
}

}  // namespace tolteca::db
