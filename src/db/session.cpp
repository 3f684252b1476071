#include "db/session.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include "db/schema.h"
#include "model/error.h"

namespace tolteca::db {

namespace {

std::string lock_message(const std::string& name, const std::string& duckdb_message) {
  static const std::regex pid_re(R"(PID (\d+))");
  std::smatch m;
  if (std::regex_search(duckdb_message, m, pid_re))
    return fmt::format("database {} is locked by another process (pid {}); retry later or pass --wait SECONDS", name,
                       m[1].str());
  return fmt::format("database {} is locked by another process; retry later or pass --wait SECONDS", name);
}

}  // namespace

std::unique_ptr<Session> Session::open(const DbUrl& url, const OpenOptions& options) {
  std::unique_ptr<Session> s(new Session());
  s->url_ = url;
  s->mode_ = options.mode;
  if (!url.in_memory() && options.mode != OpenMode::Create && !std::filesystem::exists(url.path))
    throw UserError(fmt::format("database {} does not exist; create it with 'tolteca_db db init --db {}'", url.path,
                                url.text));
  if (!url.in_memory() && options.mode == OpenMode::Create) {
    auto parent = std::filesystem::path(url.path).parent_path();
    if (!parent.empty() && !std::filesystem::exists(parent))
      throw UserError(fmt::format("cannot create database {}: directory {} does not exist", url.path, parent.string()));
  }
  const bool read_only = options.mode == OpenMode::ReadOnly && !url.in_memory();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(options.wait_seconds);
  for (;;) {
    try {
      s->db_ = std::make_unique<Database>(url.path, read_only);
      break;
    } catch (const DbLockedError& e) {
      if (std::chrono::steady_clock::now() >= deadline) throw UserError(lock_message(url.path, e.what()));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    } catch (const DbError& e) {
      throw UserError(fmt::format("cannot open database {}: {}", url.path, e.what()));
    }
  }
  s->con_ = std::make_unique<Connection>(*s->db_);
  if (options.mode == OpenMode::Create)
    s->created_schema_ = create_or_migrate_schema(*s->con_);
  else
    require_current_schema(*s->con_, url.path);
  return s;
}

}  // namespace tolteca::db
