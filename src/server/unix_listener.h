#pragma once
// The server's Unix-domain socket: accepts forwarded commands (server/wire.h) and runs each in a
// thread of its own, with the caller's working directory and umask (the thread has its own
// filesystem context, unshare(CLONE_FS)), the caller's descriptors and environment, and a handle on
// the served registry. The socket file's permission bits are the access control.
#include <atomic>
#include <string>
#include <thread>

#include "files/unique_fd.h"
#include "server/job.h"
#include "server/job_gate.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/registry_host.h"

namespace tolteca::server {

class UnixListener {
 public:
  // Binds and listens at path with mode bits `mode` (throws std::runtime_error).
  UnixListener(const std::string& path, unsigned mode, CommandRunner runner, RegistryHost& host, JobGate& gate,
               Metrics& metrics, ServerLog& log);
  ~UnixListener();
  UnixListener(const UnixListener&) = delete;
  UnixListener& operator=(const UnixListener&) = delete;

  void start();
  // Stops accepting (the jobs running go on; JobGate waits for them).
  void stop();
  const std::string& path() const { return path_; }

 private:
  void accept_loop();
  void serve_connection(files::UniqueFd connection);

  std::string path_;
  files::UniqueFd listen_;
  files::UniqueFd wake_read_, wake_write_;
  CommandRunner runner_;
  RegistryHost& host_;
  JobGate& gate_;
  Metrics& metrics_;
  ServerLog& log_;
  std::thread acceptor_;
};

}  // namespace tolteca::server
