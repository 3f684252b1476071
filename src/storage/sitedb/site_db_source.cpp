// parse_site_db_source / site_db_path: SOURCE (a SQLite path or URL, or a MySQL URL) -> its parts.
#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <string_view>

#include "model/error.h"
#include "storage/site_db.h"

namespace tolteca::storage {

namespace {

constexpr std::string_view kMysqlSchemes[] = {"mysql://", "mysql+pymysql://", "mysql+mysqldb://",
                                              "mysql+mysqlconnector://", "mariadb://", "mariadb+pymysql://"};

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding ("p%40ss" -> "p@ss"); nullopt for a malformed escape.
std::optional<std::string> decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) return std::nullopt;
    out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
    i += 2;
  }
  return out;
}

SiteDbSource parse_mysql(const std::string& source, std::string_view scheme) {
  SiteDbSource s;
  s.kind = SiteDbSource::Kind::mysql;
  std::string_view rest = std::string_view(source).substr(scheme.size());
  // The display form first, so that every error below hides the password.
  const auto at = rest.rfind('@', rest.find('/'));
  std::string_view userinfo, hostpart = rest;
  if (at != std::string_view::npos) {
    userinfo = rest.substr(0, at);
    hostpart = rest.substr(at + 1);
  }
  const auto colon = userinfo.find(':');
  s.display = std::string(scheme);
  if (at != std::string_view::npos)
    s.display += std::string(userinfo.substr(0, colon)) + (colon != std::string_view::npos ? ":***" : "") + "@";
  s.display += std::string(hostpart);
  auto bad = [&](const std::string& why) {
    return UserError(fmt::format("{}: {} (expected {}[user@]host[:port]/dbname)", s.display, why, scheme));
  };
  auto dec = [&](std::string_view part, const char* what) {
    auto d = decode(part);
    if (!d) throw bad(fmt::format("malformed %-escape in the {}", what));
    return *d;
  };
  if (at != std::string_view::npos) {
    s.user = dec(userinfo.substr(0, colon), "user");
    if (colon != std::string_view::npos) {
      s.password = dec(userinfo.substr(colon + 1), "password");
      s.has_password = true;
    }
  }
  std::string_view query;
  if (auto q = hostpart.find('?'); q != std::string_view::npos) {
    query = hostpart.substr(q + 1);
    hostpart = hostpart.substr(0, q);
  }
  const auto slash = hostpart.find('/');
  if (slash == std::string_view::npos) throw bad("no database name");
  std::string_view hostport = hostpart.substr(0, slash);
  s.dbname = dec(hostpart.substr(slash + 1), "database name");
  if (s.dbname.empty()) throw bad("no database name");
  if (s.dbname.find('/') != std::string::npos) throw bad(fmt::format("'{}' is not a database name", s.dbname));
  if (!hostport.empty() && hostport.front() == '[') {  // [::1]:3306
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) throw bad("unclosed '[' in the host");
    s.host = std::string(hostport.substr(1, close - 1));
    hostport = hostport.substr(close + 1);
    if (!hostport.empty() && hostport.front() != ':') throw bad("junk after the host");
  } else {
    const auto pc = hostport.rfind(':');
    s.host = std::string(hostport.substr(0, pc));
    hostport = pc == std::string_view::npos ? std::string_view() : hostport.substr(pc);
  }
  if (!hostport.empty()) {
    std::string_view p = hostport.substr(1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), s.port);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || s.port < 1 || s.port > 65535)
      throw bad(fmt::format("port '{}' is not a number 1..65535", std::string(p)));
  }
  while (!query.empty()) {
    const auto amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = kv.find('=');
    const std::string key(kv.substr(0, eq));
    const std::string value = eq == std::string_view::npos ? std::string() : dec(kv.substr(eq + 1), "query");
    if (key == "unix_socket")
      s.unix_socket = value;
    else if (key != "charset")  // the connection is always utf8mb4
      throw bad(fmt::format("unknown URL option '{}' (known: unix_socket, charset)", key));
  }
  if (s.host.empty() && s.unix_socket.empty()) throw bad("no host");
  if (s.host.empty()) s.host = "localhost";
  return s;
}

}  // namespace

SiteDbSource parse_site_db_source(const std::string& source) {
  for (auto scheme : kMysqlSchemes)
    if (source.rfind(scheme, 0) == 0) return parse_mysql(source, scheme);
  SiteDbSource s;
  s.display = source;
  constexpr std::string_view kSqlite = "sqlite:///";
  if (source.rfind(kSqlite, 0) == 0) {
    s.path = source.substr(kSqlite.size());
  } else if (source.find("://") != std::string::npos) {
    throw UserError(fmt::format("{}: unsupported site database URL (use sqlite:///path, a path, or "
                                "mysql://user@host[:port]/dbname)",
                                source));
  } else {
    s.path = source;
  }
  if (s.path.empty()) throw UserError(fmt::format("{}: no SQLite file named", source));
  return s;
}

std::string site_db_path(const std::string& source) {
  SiteDbSource s = parse_site_db_source(source);
  if (s.kind != SiteDbSource::Kind::sqlite)
    throw UserError(fmt::format("{}: not a SQLite site database", s.display));
  return s.path;
}

}  // namespace tolteca::storage
