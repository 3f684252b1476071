#pragma once
// A real `tolteca_db serve` for the server tests: started on a registry in a temporary directory,
// HTTP on a free loopback port, stopped (SIGTERM, then SIGKILL) even when a test fails.
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "server/server_file.h"
#include "support/test_support.h"

namespace tolteca::test {

class ServeProcess {
 public:
  // Starts serve on db (a file path) with extra arguments; waits for its server file.
  explicit ServeProcess(const std::string& db, const std::vector<std::string>& extra = {},
                        const std::string& log = "/dev/null");
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;

  bool ready() const { return info_.has_value(); }
  const server::ServerInfo& info() const { return *info_; }
  pid_t pid() const { return pid_; }
  // host:port of the HTTP API.
  httplib::Client http() const;
  // SIGTERM and wait: the exit code (or 128 + signal).
  int stop(int sig = SIGTERM);

 private:
  std::string db_;
  pid_t pid_ = -1;
  std::optional<server::ServerInfo> info_;
};

// A registry with one simulated night ingested (dir/tolteca.duckdb, data under dir/data_lmt).
std::string make_night_registry(const TempDir& dir, double scale = 0.1, int nights = 1);

// The registry as the queries show it: `query obs --json` and `query groups --json` (observations with
// their networks, files, kinds and cal edges; groups with their members' span), no ingest times, no paths.
std::string registry_view(const std::string& db);

}  // namespace tolteca::test
