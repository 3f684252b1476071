#include "storage/open.h"

#include <fmt/format.h>

#include <filesystem>

#include "model/error.h"
// The backends this build has. This file is the one place above a backend that
// names it (the layering check allows storage/open.cpp -> storage/<backend>/registry.h).
#include "storage/duckdb/registry.h"

namespace tolteca::storage {

namespace {
constexpr std::string_view kSupported =
    "supported: duckdb:///relative/path.duckdb, duckdb:////absolute/path.duckdb, duckdb:///:memory:, "
    "or a plain path ending in .duckdb";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
}  // namespace

RegistryUrl parse_registry_url(std::string_view text) {
  RegistryUrl url;
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

std::string default_registry_url(const std::optional<std::string>& configured) {
  if (configured && !configured->empty()) return *configured;
  return kDefaultRegistryUrl;
}

bool registry_exists(std::string_view text) {
  const RegistryUrl url = parse_registry_url(text);
  return !url.in_memory() && std::filesystem::exists(url.path);
}

std::string backend_versions() { return "DuckDB " + duckdb::library_version(); }

std::unique_ptr<Registry> open_registry(std::string_view text, const OpenOptions& options) {
  const RegistryUrl url = parse_registry_url(text);
  // url.backend is "duckdb" (the only scheme parse_registry_url accepts today);
  // a PostgreSQL backend adds: if (url.backend == "postgresql") return postgres::open(url, options);
  return duckdb::open(url, options);
}

}  // namespace tolteca::storage
