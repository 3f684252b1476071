#include "storage/duckdb/session.h"

#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <filesystem>
#include <optional>
#include <regex>
#include <thread>

#include "storage/duckdb/schema.h"
#include "model/error.h"
#include "storage/errors.h"

namespace tolteca::storage::duckdb {

namespace {

std::optional<std::int64_t> holder_pid(const std::string& duckdb_message) {
  static const std::regex pid_re(R"(PID (\d+))");
  std::smatch m;
  if (std::regex_search(duckdb_message, m, pid_re)) return std::stoll(m[1].str());
  return std::nullopt;
}

// Ordinary file-system conditions (no such file, name too long, no permission) as UserErrors before
// DuckDB sees the path.
void check_db_path(const DbUrl& url, OpenMode mode) {
  const std::string shown = url.path.size() > 120 ? url.path.substr(0, 60) + fmt::format("… ({} bytes)", url.path.size())
                                                  : url.path;
  if (url.path.size() >= PATH_MAX)
    throw UserError(fmt::format("cannot open database {}: File name too long (the limit is {} bytes)", shown, PATH_MAX - 1));
  struct stat st;
  if (::stat(url.path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw UserError(fmt::format("cannot open database {}: it is a directory", shown));
    if (mode == OpenMode::ReadOnly) return;
    if (::access(url.path.c_str(), W_OK) != 0)
      throw RegistryNotWritable(RegistryNotWritable::Where::file, shown, std::strerror(errno));
    auto dir = std::filesystem::path(url.path).parent_path();
    if (dir.empty()) dir = ".";
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      throw RegistryNotWritable(RegistryNotWritable::Where::directory, shown,
                                fmt::format("its directory {} is not writable ({}; DuckDB keeps its write-ahead log "
                                            "{}.wal there)",
                                            dir.string(), std::strerror(errno),
                                            std::filesystem::path(url.path).filename().string()));
    return;
  }
  const int err = errno;
  if (err != ENOENT) throw UserError(fmt::format("cannot open database {}: {}", shown, std::strerror(err)));
  if (mode != OpenMode::Create)
    throw RegistryMissing(shown, url.text.size() > 120 ? shown : url.text);
  auto parent = std::filesystem::path(url.path).parent_path();
  if (parent.empty()) parent = ".";
  if (::stat(parent.c_str(), &st) != 0)
    throw UserError(fmt::format("cannot create database {}: directory {}: {}", shown, parent.string(),
                                errno == ENOENT ? std::string("does not exist") : std::string(std::strerror(errno))));
  if (!S_ISDIR(st.st_mode))
    throw UserError(fmt::format("cannot create database {}: {} is not a directory", shown, parent.string()));
  if (::access(parent.c_str(), W_OK | X_OK) != 0)
    throw UserError(fmt::format("cannot create database {}: directory {}: {}", shown, parent.string(), std::strerror(errno)));
}

}  // namespace

std::unique_ptr<Session> Session::open(const DbUrl& url, const OpenOptions& options) {
  std::unique_ptr<Session> s(new Session());
  s->url_ = url;
  s->mode_ = options.mode;
  if (!url.in_memory()) check_db_path(url, options.mode);
  const bool read_only = options.mode == OpenMode::ReadOnly && !url.in_memory();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(options.wait_seconds);
  for (;;) {
    try {
      s->db_ = std::make_shared<Database>(url.path, read_only);
      break;
    } catch (const DbLockedError& e) {
      if (std::chrono::steady_clock::now() >= deadline) throw RegistryLocked(url.path, holder_pid(e.what()));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    } catch (const DbError& e) {
      throw UserError(fmt::format("cannot open database {}: {}", url.path, e.what()));
    }
  }
  s->con_ = std::make_unique<Connection>(*s->db_);
  if (options.mode == OpenMode::Create)
    s->created_schema_ = create_or_migrate_schema(*s->con_, url.path);
  else
    require_current_schema(*s->con_, url.path);
  return s;
}

std::unique_ptr<Session> Session::another(OpenMode mode) const {
  std::unique_ptr<Session> s(new Session());
  s->url_ = url_;
  s->mode_ = mode_ == OpenMode::ReadOnly ? OpenMode::ReadOnly : (mode == OpenMode::ReadOnly ? OpenMode::ReadOnly : OpenMode::ReadWrite);
  s->db_ = db_;
  s->con_ = std::make_unique<Connection>(*s->db_);
  return s;
}

}  // namespace tolteca::storage::duckdb
