#pragma once
// What the server hands the command runner for one job: a command line to run as its caller
// would, with the caller's descriptors and environment, a way to open the served registry, and
// the caller's wish to stop. The runner is the CLI's (cli/serve_runner.cpp): the server knows
// nothing about commands, only how to host them.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/options.h"
#include "storage/registry.h"

namespace tolteca::server {

using OpenServed =
    std::function<std::unique_ptr<storage::Registry>(const std::string& url, storage::OpenMode mode)>;

struct JobIo {
  int in_fd = -1, out_fd = -1, err_fd = -1;  // the caller's (owned by the server for the job)
  std::map<std::string, std::string> env;    // the caller's environment
  const std::atomic<bool>* cancelled = nullptr;
  OpenServed open;  // a handle on the served registry (writes serialised), for the job's thread
  // What the server's companions are doing ({"watch": {…}}; empty object: none): `query stats` shows it.
  std::function<nlohmann::json()> server_status;
};

// Runs argv (argv[0] is the program name) and returns its exit code (0, 1 user error, 2
// internal error, 130 cancelled).
using CommandRunner = std::function<int(const std::vector<std::string>& argv, const JobIo& io)>;

}  // namespace tolteca::server
