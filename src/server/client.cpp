#include "server/client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>

#include "server/wire.h"

extern char** environ;

namespace tolteca::server {
namespace {

int g_signal_pipe = -1;
std::atomic<int> g_signals{0};

void on_signal(int) {
  if (g_signals.fetch_add(1) >= 1) {  // a second Ctrl-C: stop waiting at once
    ::signal(SIGINT, SIG_DFL);
    ::raise(SIGINT);
    return;
  }
  const char x = 'c';
  (void)!::write(g_signal_pipe, &x, 1);
}

std::map<std::string, std::string> environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

unsigned current_umask() {
  const mode_t m = ::umask(022);
  ::umask(m);
  return m;
}

// Installs the Ctrl-C/SIGTERM handlers while it lives (restores the previous ones after).
class SignalForwarding {
 public:
  explicit SignalForwarding(int pipe_write) {
    g_signal_pipe = pipe_write;
    g_signals = 0;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalForwarding() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    g_signal_pipe = -1;
  }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace

ForwardResult forward_command(const ServerInfo& server, const std::vector<std::string>& argv) {
  return forward_command(server, argv, ForwardIo{STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO});
}

ForwardResult forward_command(const ServerInfo& server, const std::vector<std::string>& argv, const ForwardIo& io) {
  ForwardResult result;
  files::UniqueFd socket;
  try {
    socket = connect_unix(server.socket);
  } catch (const std::exception& e) {
    result.problem = e.what();
    result.refused = true;
    return result;
  }
  files::UniqueFd cwd(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!cwd) {
    result.problem = std::string("cannot open the working directory: ") + std::strerror(errno);
    result.refused = true;
    return result;
  }
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) {
    result.problem = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  files::UniqueFd sig_read(p[0]), sig_write(p[1]);
  SignalForwarding forwarding(sig_write.get());
  try {
    send_message(socket.get(),
                 {{"type", "run"}, {"protocol", kProtocolVersion}, {"argv", argv}, {"env", environment()},
                  {"umask", current_umask()}},
                 {cwd.get(), io.in, io.out, io.err});
    cwd.reset();
    bool cancel_sent = false;
    for (;;) {
      pollfd fds[2] = {{socket.get(), POLLIN, 0}, {sig_read.get(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
      }
      if (fds[1].revents & POLLIN) {
        char buf[16];
        (void)!::read(sig_read.get(), buf, sizeof(buf));
        if (!cancel_sent) send_message(socket.get(), {{"type", "cancel"}});
        cancel_sent = true;
      }
      if (fds[0].revents) {
        auto m = receive_message(socket.get());
        if (!m) {
          result.problem = "the server (pid " + std::to_string(server.pid) + ") stopped before the command finished";
          return result;
        }
        const std::string type = m->body.value("type", "");
        if (type == "exit") {
          result.exit_code = m->body.value("code", 2);
          return result;
        }
        if (type == "refused") {
          result.refused = true;
          result.problem = m->body.value("reason", "refused");
          return result;
        }
      }
    }
  } catch (const std::exception& e) {
    result.problem = e.what();
    return result;
  }
}

}  // namespace tolteca::server
