#pragma once
// The CLI's side of a forwarded command (server/wire.h): hands the server this process's command
// line, working directory, umask, environment and stdin/stdout/stderr, then waits for the exit
// code. Ctrl-C (SIGINT) or SIGTERM while it waits asks the server to cancel the job; a second one
// stops waiting at once.
#include <optional>
#include <string>
#include <vector>

#include "server/server_file.h"

namespace tolteca::server {

struct ForwardResult {
  std::optional<int> exit_code;  // the command's; nullopt when the server refused or went away
  std::string problem;           // why not, when nullopt
  bool refused = false;          // the server said no before running anything (e.g. it is stopping)
};

ForwardResult forward_command(const ServerInfo& server, const std::vector<std::string>& argv);

// The descriptors the command gets as its stdin, stdout and stderr (default: this process's own).
// The Python package passes memory files and reads the command's --json output from them.
struct ForwardIo {
  int in = 0, out = 1, err = 2;
};
ForwardResult forward_command(const ServerInfo& server, const std::vector<std::string>& argv, const ForwardIo& io);

}  // namespace tolteca::server
