#include "server/server_file.h"

#include <signal.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "files/output_file.h"

namespace tolteca::server {

std::string server_file_path(const std::string& database_path) { return database_path + ".server.json"; }

std::string default_socket_path(const std::string& database_absolute_path) {
  std::string beside = database_absolute_path + ".sock";
  if (beside.size() < sizeof(sockaddr_un{}.sun_path)) return beside;
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  std::string dir = runtime && *runtime ? runtime : "/tmp";
  std::ostringstream name;
  name << dir << "/tolteca_db-" << ::getuid() << "-" << std::hex << std::hash<std::string>{}(database_absolute_path)
       << ".sock";
  return name.str();
}

void write_server_file(const std::string& database_path, const ServerInfo& info) {
  nlohmann::json j = {{"protocol", info.protocol}, {"pid", info.pid},  {"socket", info.socket},
                      {"http", info.http},         {"database", info.database}};
  files::write_file_atomically(server_file_path(database_path), j.dump(2) + "\n");
}

std::optional<ServerInfo> read_server_file(const std::string& database_path) {
  std::ifstream in(server_file_path(database_path));
  if (!in) return std::nullopt;
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    ServerInfo info;
    info.protocol = j.at("protocol").get<int>();
    info.pid = j.at("pid").get<long>();
    info.socket = j.at("socket").get<std::string>();
    info.http = j.value("http", std::string());
    info.database = j.value("database", std::string());
    return info;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool process_alive(long pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::optional<ServerInfo> find_live_server(const std::string& database_path) {
  auto info = read_server_file(database_path);
  if (!info) return std::nullopt;
  if (process_alive(info->pid)) return info;
  std::error_code ec;  // stale: best effort, another process may be removing it too
  std::filesystem::remove(info->socket, ec);
  std::filesystem::remove(server_file_path(database_path), ec);
  return std::nullopt;
}

void remove_server_file(const std::string& database_path, long pid) {
  auto info = read_server_file(database_path);
  if (!info || info->pid != pid) return;
  std::error_code ec;
  std::filesystem::remove(info->socket, ec);
  std::filesystem::remove(server_file_path(database_path), ec);
}

}  // namespace tolteca::server
