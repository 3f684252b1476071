#pragma once
// The server file: a small JSON file beside a served database (`<database>.server.json`) that
// tells a CLI run a server holds it and where to reach it. `serve` writes it atomically once
// it listens and removes it when it stops; a file whose pid is dead (kill -9, a crash) is stale:
// find_live_server() and the next `serve` remove it and the socket it names.
#include <optional>
#include <string>

namespace tolteca::server {

// Raised when the protocol of client and server differ (a CLI of another version).
inline constexpr int kProtocolVersion = 1;

struct ServerInfo {
  int protocol = kProtocolVersion;
  long pid = 0;
  std::string socket;    // the Unix-domain socket the CLI talks to
  std::string http;      // "127.0.0.1:8080", empty when no HTTP listener
  std::string database;  // the database file it serves (absolute)
};

// `<database>.server.json` for a database file path (relative paths stay relative).
std::string server_file_path(const std::string& database_path);
// The socket beside the database (`<database>.sock`) when that path fits a Unix socket address,
// else one under the runtime directory ($XDG_RUNTIME_DIR or /tmp) named after a hash of it.
std::string default_socket_path(const std::string& database_absolute_path);

void write_server_file(const std::string& database_path, const ServerInfo& info);
// Reads the server file: nullopt when there is none or it does not parse (then it is left alone).
std::optional<ServerInfo> read_server_file(const std::string& database_path);
// The server serving the database file when one is alive; a stale server file (its pid dead)
// is removed with its socket, and nullopt returned.
std::optional<ServerInfo> find_live_server(const std::string& database_path);
// Removes the server file and the socket it names, when it names this pid (a server leaving).
void remove_server_file(const std::string& database_path, long pid);

bool process_alive(long pid);

}  // namespace tolteca::server
