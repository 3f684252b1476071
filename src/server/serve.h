#pragma once
// `tolteca_db serve`: one process owns the registry; CLI runs on this machine reach it through the
// Unix socket beside the database (their commands run here on their behalf, writes one at a time),
// programs and browsers through the HTTP JSON API (server/http_api.h).
//
// Lifecycle: serve() listens, writes the server file (server/server_file.h), then waits for SIGTERM
// or SIGINT; then it stops accepting, lets the jobs in flight finish (the write in flight commits),
// closes the registry (DuckDB checkpoints) and removes the server file and socket. kill -9 loses
// nothing committed: the next CLI run or `serve` finds the server file stale and removes it.
#include <functional>
#include <memory>
#include <string>

#include "server/companion.h"
#include "server/http_api.h"
#include "server/job.h"
#include "server/server_file.h"
#include "server/log.h"
#include "storage/registry.h"

namespace tolteca::server {

struct ServeOptions {
  std::string database;      // the database file, absolute
  std::string socket;        // empty: default_socket_path(database)
  unsigned socket_mode = 0;  // 0: the database file's read/write bits (who may write it may use the server)
  bool http = true;          // false: no HTTP listener
  // Queries running at once (their registry handles); more wait. 0: the machine's cores, at least 2.
  int max_readers = 0;
  HttpOptions http_options;
  std::string log_file;  // empty: stderr
  LogFormat log_format = LogFormat::text;
  MakeCompanion companion;  // empty: none (server/companion.h)
};

// Blocks SIGINT and SIGTERM in the calling thread, so that every thread started afterwards (the
// database's own) inherits the block and serve() receives them with sigwait. Call it first.
void block_stop_signals();

// Caps glibc's malloc arenas at two (unless $MALLOC_ARENA_MAX says otherwise). A server lives for
// months and its ingest threads come and go: with one arena per thread, freed memory stays spread
// over arenas it is never returned from, and the resident set grows with every night although
// nothing leaks (bench/RESULTS.md "watch", the soak). Call it before the threads start.
void limit_malloc_arenas();

// Serves until SIGTERM/SIGINT; returns 0 after a clean stop. ready(info) is called once the
// server listens and its server file is written. Throws std::runtime_error when it cannot listen.
int serve(std::unique_ptr<storage::Registry> registry, const ServeOptions& options, CommandRunner runner,
          const std::function<void(const ServerInfo&)>& ready);

}  // namespace tolteca::server
