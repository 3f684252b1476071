// Helper-process header reading, see header_process.h.
#include "files/header_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace tolteca::files {
namespace {

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);  // a dead peer is EPIPE, not a SIGPIPE
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

bool send_message(int fd, std::string_view body) {
  const auto n = static_cast<std::uint32_t>(body.size());
  char len[4];
  std::memcpy(len, &n, 4);
  return write_all(fd, len, 4) && write_all(fd, body.data(), body.size());
}

// Blocking read of exactly n bytes; false on end of input or error.
bool read_exact(int fd, char* p, std::size_t n) {
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

// Reads exactly n bytes before the deadline. 1 = ok, 0 = peer gone, -1 = timed out.
int read_exact_until(int fd, char* p, std::size_t n, std::chrono::steady_clock::time_point deadline) {
  while (n > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return -1;
    pollfd pfd{fd, POLLIN, 0};
    int pr = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (pr < 0 && errno == EINTR) continue;
    if (pr < 0) return 0;
    if (pr == 0) return -1;
    ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return 0;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return 1;
}

constexpr std::uint32_t kMaxMessage = 64u << 20;

constexpr const char* kHelperFdEnv = "TOLTECA_HEADER_HELPER_FD";
constexpr const char* kHelperFaultEnv = "TOLTECA_HEADER_HELPER_FAULT";
constexpr int kHelperFd = 3;

[[noreturn]] void serve(int fd, std::string_view fault) {
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  std::string_view crash_on, hang_on;
  if (fault.starts_with("crash-on:")) crash_on = fault.substr(9);
  if (fault.starts_with("hang-on:")) hang_on = fault.substr(8);
  for (;;) {
    std::uint32_t n = 0;
    if (!read_exact(fd, reinterpret_cast<char*>(&n), 4) || n > kMaxMessage) ::_exit(0);
    std::string path(n, '\0');
    if (!read_exact(fd, path.data(), n)) ::_exit(0);
    if (!crash_on.empty() && path.find(crash_on) != std::string::npos) ::raise(SIGSEGV);
    if (!hang_on.empty() && path.find(hang_on) != std::string::npos) ::sleep(3600);
    HeaderResult r;
    try {
      r = read_header(path);
    } catch (const std::exception& e) {  // read_header does not throw for bad files; bad_alloc can
      r = HeaderError{fmt::format("header reader error: {}", e.what())};
    }
    if (!send_message(fd, encode_header_result(r))) ::_exit(0);
  }
}

// A helper started by HeaderReaderProcess::start() serves here, during static initialisation, before
// the program's main() (it is this same executable). Everything serve() uses is initialised on first
// use, so the order of static initialisation does not matter.
[[maybe_unused]] const bool started_as_helper = [] {
  const char* fd = std::getenv(kHelperFdEnv);
  if (!fd || std::string_view(fd) != "3") return false;
  const char* fault = std::getenv(kHelperFaultEnv);
  serve(kHelperFd, fault ? fault : "");
}();

std::string describe_death(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return fmt::format("the netCDF/HDF5 library crashed reading this file (helper process killed by signal {}, {})",
                       sig, ::strsignal(sig));
  }
  if (WIFEXITED(status))
    return fmt::format("the netCDF/HDF5 library crashed reading this file (helper process exited with status {})",
                       WEXITSTATUS(status));
  return "the netCDF/HDF5 library crashed reading this file (helper process vanished)";
}

}  // namespace

HeaderReaderProcess::HeaderReaderProcess(std::chrono::milliseconds timeout, std::string fault_for_tests)
    : timeout_(timeout), fault_(std::move(fault_for_tests)) {}

HeaderReaderProcess::~HeaderReaderProcess() { stop(true); }

void HeaderReaderProcess::start() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw std::runtime_error(fmt::format("cannot start the header reader: socketpair: {}", std::strerror(errno)));
  // The child's end becomes fd 3 (dup2 clears close-on-exec); it must not already be 3, where dup2
  // would be a no-op that keeps the flag.
  int child_end = sv[1];
  if (child_end == kHelperFd) child_end = ::fcntl(sv[1], F_DUPFD_CLOEXEC, kHelperFd + 1);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e)
    if (!std::string_view(*e).starts_with(kHelperFdEnv) && !std::string_view(*e).starts_with(kHelperFaultEnv))
      env_s.emplace_back(*e);
  env_s.push_back(fmt::format("{}={}", kHelperFdEnv, kHelperFd));
  if (!fault_.empty()) env_s.push_back(fmt::format("{}={}", kHelperFaultEnv, fault_));
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string name = "tolteca-header-reader";
  char* argv[] = {name.data(), nullptr};

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  int rc = child_end < 0 ? errno : posix_spawn_file_actions_adddup2(&fa, child_end, kHelperFd);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&fa, 2, 1);  // never the parent's stdout (--json)
  pid_t pid = -1;
  if (rc == 0) rc = ::posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (child_end != sv[1] && child_end >= 0) ::close(child_end);
  ::close(sv[1]);
  if (rc != 0) {
    ::close(sv[0]);
    throw std::runtime_error(fmt::format("cannot start the header reader: {}", std::strerror(rc)));
  }
  sock_ = sv[0];
  pid_ = pid;
  ++started_;
}

int HeaderReaderProcess::stop(bool kill_first) {
  int status = 0;
  if (sock_ >= 0) ::close(sock_);
  sock_ = -1;
  if (pid_ > 0) {
    if (kill_first) ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
  return status;
}

HeaderReaderProcess::Exchange HeaderReaderProcess::exchange(const std::string& path, std::string& reply) {
  if (!send_message(sock_, path)) return Exchange::died;
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  std::uint32_t n = 0;
  int r = read_exact_until(sock_, reinterpret_cast<char*>(&n), 4, deadline);
  if (r == 1 && n > kMaxMessage) return Exchange::died;
  if (r == 1) {
    reply.assign(n, '\0');
    r = read_exact_until(sock_, reply.data(), n, deadline);
  }
  if (r == 1) return Exchange::ok;
  return r < 0 ? Exchange::timed_out : Exchange::died;
}

HeaderResult HeaderReaderProcess::read(const std::string& path) {
  std::string reply;
  for (int attempt = 0;; ++attempt) {
    if (pid_ < 0) start();
    switch (exchange(path, reply)) {
      case Exchange::ok: {
        HeaderResult r;
        try {
          r = decode_header_result(reply);
        } catch (const std::exception& e) {  // a torn reply: treat the helper as broken
          stop(true);
          return HeaderError{fmt::format("header reader sent a bad reply ({})", e.what())};
        }
        // A file libhdf5 could not read may have left its heap damaged without a crash (under ASan,
        // one damaged netCDF-4 file in six is a memory error: docs/RELIABILITY.md); a fresh helper
        // reads the next file.
        if (std::holds_alternative<HeaderError>(r)) stop(true);
        return r;
      }
      case Exchange::timed_out: {
        stop(true);
        auto secs = std::chrono::duration<double>(timeout_).count();
        return HeaderError{fmt::format("header read did not finish in {:g} s; the reader was stopped", secs)};
      }
      case Exchange::died: {
        // The socket closes only when the helper has exited, so this wait is short.
        int status = stop(false);
        if (attempt == 0) continue;  // once more, in a fresh helper
        return HeaderError{describe_death(status)};
      }
    }
  }
}

namespace {

bool has_hdf5_signature(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  unsigned char b[8];
  ssize_t n = ::pread(fd, b, sizeof b, 0);
  ::close(fd);
  static constexpr unsigned char kHdf5[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  return n == 8 && std::memcmp(b, kHdf5, 8) == 0;
}

struct IsolationSettings {
  bool enabled = true;
  std::chrono::milliseconds timeout{std::chrono::seconds(120)};
};

const IsolationSettings& settings() {
  static const IsolationSettings s = [] {
    IsolationSettings r;
    if (const char* v = std::getenv("TOLTECA_HEADER_ISOLATION"); v && std::string_view(v) == "0") r.enabled = false;
    if (const char* v = std::getenv("TOLTECA_HEADER_TIMEOUT"); v && *v) {
      char* end = nullptr;
      double secs = std::strtod(v, &end);
      if (end && *end == '\0' && secs > 0) r.timeout = std::chrono::milliseconds(static_cast<long long>(secs * 1000));
    }
    return r;
  }();
  return s;
}

}  // namespace

HeaderResult read_header_isolated(const std::string& path) {
  const IsolationSettings& s = settings();
  if (!s.enabled || !has_hdf5_signature(path)) return read_header(path);
  thread_local std::optional<HeaderReaderProcess> helper;
  if (!helper) helper.emplace(s.timeout);
  try {
    return helper->read(path);
  } catch (const std::runtime_error&) {
    // No helper could be started (fork/socketpair failed: process limit, no memory). Reading in this
    // process is what every run did before the helper existed: correct for all but crashing files.
    return read_header(path);
  }
}

}  // namespace tolteca::files
