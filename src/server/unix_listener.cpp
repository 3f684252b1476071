#include "server/unix_listener.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "server/server_file.h"
#include "server/wire.h"

namespace tolteca::server {
namespace {

std::string command_text(const std::vector<std::string>& argv) {
  std::string s;
  for (std::size_t i = 1; i < argv.size(); ++i) s += (i > 1 ? " " : "") + argv[i];
  return s;
}

// Gives the calling thread its own working directory and umask (shared with no other thread),
// then takes the caller's. False (errno set) when the system refuses.
bool enter_callers_directory(int cwd_fd, unsigned umask_bits) {
  if (::unshare(CLONE_FS) != 0) return false;
  if (::fchdir(cwd_fd) != 0) return false;
  ::umask(static_cast<mode_t>(umask_bits & 0777));
  return true;
}

// A forwarded command: a "run" message of this protocol with its four descriptors.
bool is_run_request(const Message& m) {
  return m.body.value("type", "") == "run" && m.body.value("protocol", 0) == kProtocolVersion && m.fds.size() == 4 &&
         m.body.contains("argv") && m.body["argv"].is_array();
}

// Until the job says it is done (done_fd readable): a cancel message (Ctrl-C) or the caller gone
// (end of stream) sets `cancelled`; the job stops at its next check.
void watch_for_cancel(int socket, int done_fd, std::atomic<bool>& cancelled) {
  bool watching = true;
  for (;;) {
    pollfd fds[2] = {{done_fd, POLLIN, 0}, {watching ? socket : -1, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[0].revents) return;
    if (!fds[1].revents) continue;
    std::optional<Message> m;
    try {
      m = receive_message(socket);
    } catch (const std::exception&) {
    }
    if (!m || m->body.value("type", "") == "cancel") cancelled = true;
    if (!m) watching = false;
  }
}

}  // namespace

UnixListener::UnixListener(const std::string& path, unsigned mode, CommandRunner runner, RegistryHost& host,
                           JobGate& gate, Metrics& metrics, ServerLog& log)
    : path_(path), listen_(listen_unix(path, mode)), runner_(std::move(runner)), host_(host), gate_(gate),
      metrics_(metrics), log_(log) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  wake_read_.reset(p[0]);
  wake_write_.reset(p[1]);
}

UnixListener::~UnixListener() {
  stop();
  ::unlink(path_.c_str());
}

void UnixListener::start() { acceptor_ = std::thread([this] { accept_loop(); }); }

void UnixListener::stop() {
  if (!acceptor_.joinable()) return;
  const char x = 'x';
  (void)!::write(wake_write_.get(), &x, 1);
  acceptor_.join();
  listen_.reset();
}

void UnixListener::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listen_.get(), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    if (!(fds[0].revents & POLLIN)) continue;
    files::UniqueFd c(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!c) continue;
    // Counted before the thread starts, so that a stopping server waits for it.
    auto ticket = std::make_shared<JobTicket>(gate_);
    if (!*ticket) {
      try {
        send_message(c.get(), {{"type", "refused"}, {"reason", "the server is stopping"}});
      } catch (const std::exception&) {
      }
      continue;
    }
    std::thread([this, ticket, conn = std::move(c)]() mutable { serve_connection(std::move(conn)); }).detach();
  }
}

void UnixListener::serve_connection(files::UniqueFd c) {
  const auto t0 = std::chrono::steady_clock::now();
  std::optional<Message> request;
  try {
    request = receive_message(c.get());
  } catch (const std::exception& e) {
    log_.write({{"event", "job"}, {"error", e.what()}});
    return;
  }
  if (!request) return;
  const auto& body = request->body;
  if (!is_run_request(*request)) {
    try {
      send_message(c.get(), {{"type", "refused"},
                             {"reason", "protocol mismatch: this server speaks protocol " +
                                            std::to_string(kProtocolVersion)}});
    } catch (const std::exception&) {
    }
    return;
  }
  std::vector<std::string> argv = body["argv"].get<std::vector<std::string>>();
  JobIo io;
  io.env = body.value("env", std::map<std::string, std::string>{});
  io.in_fd = request->fds[1].get();
  io.out_fd = request->fds[2].get();
  io.err_fd = request->fds[3].get();
  std::atomic<bool> cancelled{false};
  io.cancelled = &cancelled;
  io.open = [this](const std::string& url, storage::OpenMode mode) { return host_.open(url, mode); };
  io.server_status = [this] { return host_.companion_status(); };
  const unsigned umask_bits = body.value("umask", 022u);

  int done[2];
  if (::pipe2(done, O_CLOEXEC) != 0) return;
  files::UniqueFd done_read(done[0]), done_write(done[1]);
  int code = 2;
  metrics_.job_started();
  std::thread job([&] {
    if (!enter_callers_directory(request->fds[0].get(), umask_bits)) {
      const std::string msg = std::string("tolteca_db: internal error: the server cannot enter the caller's "
                                          "working directory: ") + std::strerror(errno) + "\n";
      (void)!::write(io.err_fd, msg.data(), msg.size());
    } else {
      try {
        code = runner_(argv, io);
      } catch (const std::exception& e) {
        const std::string msg = std::string("tolteca_db: internal error: ") + e.what() + "\n";
        (void)!::write(io.err_fd, msg.data(), msg.size());
        code = 2;
      }
    }
    request->fds.clear();  // the caller's descriptors: closed when the command is done (EOF on its pipes)
    const char x = 'x';
    (void)!::write(done_write.get(), &x, 1);
  });
  watch_for_cancel(c.get(), done_read.get(), cancelled);
  job.join();
  metrics_.job_finished();
  try {
    send_message(c.get(), {{"type", "exit"}, {"code", code}});
  } catch (const std::exception&) {
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  metrics_.job(code, secs, command_text(argv));
  log_.write({{"event", "job"},
              {"command", command_text(argv)},
              {"exit", code},
              {"seconds", secs},
              {"cancelled", cancelled.load()}});
}

}  // namespace tolteca::server
