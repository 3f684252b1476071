#pragma once
// When a server holds the registry a command wants, the command runs there (server/client.h):
// open_registry (cli/common.h) throws ForwardToServer before the command has done anything, and
// run_command_line (cli/run.h) hands the whole command line to the server and returns its exit code.
#include <exception>

#include "server/server_file.h"

namespace tolteca::cli {

struct ForwardToServer : std::exception {
  explicit ForwardToServer(server::ServerInfo s) : server(std::move(s)) {}
  const char* what() const noexcept override { return "a server holds the registry"; }
  server::ServerInfo server;
};

// Throws ForwardToServer when a live server serves the registry the URL names (in this process,
// not inside a server's own job).
void forward_if_served(const std::string& url);

// Runs the command line on the server; when the server is stopping, waits for it to exit (up to
// a minute) and runs the command here instead.
int forward_to_server(const ForwardToServer& f, int argc, char** argv);

}  // namespace tolteca::cli
