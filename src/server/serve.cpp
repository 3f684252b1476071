#include "server/serve.h"

#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "server/companion.h"
#include "server/job_gate.h"
#include "server/metrics.h"
#include "server/registry_host.h"
#include "server/server_file.h"
#include "server/unix_listener.h"

namespace tolteca::server {
namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

unsigned socket_mode_for(const ServeOptions& o) {
  if (o.socket_mode) return o.socket_mode;
  struct stat st {};
  if (::stat(o.database.c_str(), &st) != 0) return 0600;
  // The write bits of the database: a user who may write the file may use the server (rw on a socket).
  unsigned mode = 0600;
  if (st.st_mode & S_IWGRP) mode |= 0060;
  if (st.st_mode & S_IWOTH) mode |= 0006;
  return mode;
}

void run_companion(Companion& companion, ServerLog& log) {
  log.write({{"event", "companion_start"}, {"name", companion.name()}});
  try {
    companion.run();
  } catch (const std::exception& e) {
    log.write({{"event", "companion_error"}, {"name", companion.name()}, {"error", e.what()}});
    return;
  }
  log.write({{"event", "companion_stop"}, {"name", companion.name()}});
}

}  // namespace

void block_stop_signals() {
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);  // a caller that goes away mid-answer is an error on that write only
}

void limit_malloc_arenas() {
  if (!std::getenv("MALLOC_ARENA_MAX")) ::mallopt(M_ARENA_MAX, 2);
}

int serve(std::unique_ptr<storage::Registry> registry, const ServeOptions& options, CommandRunner runner,
          const std::function<void(const ServerInfo&)>& ready) {
  ServerLog log(options.log_file, options.log_format);
  Metrics metrics;
  JobGate gate;
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  RegistryHost host(std::move(registry), options.database, options.max_readers > 0 ? options.max_readers : cores);
  ServerInfo info;
  info.pid = ::getpid();
  info.database = options.database;
  info.socket = options.socket.empty() ? default_socket_path(options.database) : options.socket;
  UnixListener unix_listener(info.socket, socket_mode_for(options), runner, host, gate, metrics, log);
  std::unique_ptr<HttpApi> http;
  if (options.http) {
    http = std::make_unique<HttpApi>(options.http_options, runner, host, gate, metrics, log);
    const int port = http->bind();
    info.http = options.http_options.host + ":" + std::to_string(port);
  }
  std::unique_ptr<Companion> companion;
  if (options.companion)
    companion = options.companion(
        [&host](const std::string& url, storage::OpenMode mode) { return host.open(url, mode); },
        [&log](const nlohmann::json& fields) { log.write(fields); });
  if (companion) host.add_companion_status(companion->name(), [&companion] { return companion->status(); });
  unix_listener.start();
  if (http) http->start();
  std::thread companion_thread;
  if (companion) companion_thread = std::thread([&] { run_companion(*companion, log); });
  write_server_file(options.database, info);
  log.write({{"event", "start"}, {"database", info.database}, {"socket", info.socket}, {"http", info.http},
             {"pid", info.pid}});
  ready(info);

  sigset_t set = stop_signals();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  log.write({{"event", "stopping"}, {"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"},
             {"jobs_running", metrics.jobs_running()}});
  // New callers are refused from here on (a forwarded CLI then waits and runs the command itself).
  unix_listener.stop();
  if (http) http->stop();
  if (companion) {
    companion->stop();
    companion_thread.join();
  }
  gate.close_and_drain();
  host.close();  // the last handle: DuckDB checkpoints the database as it closes
  remove_server_file(options.database, info.pid);
  log.write({{"event", "stop"}, {"database", info.database}});
  return 0;
}

}  // namespace tolteca::server
