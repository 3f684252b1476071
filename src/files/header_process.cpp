// Helper-process header reading, see header_process.h.
#include "files/header_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "files/env.h"
#include "files/header_helper.h"
#include "files/header_wire.h"

namespace tolteca::files {
namespace {

using detail::kHelperFd;

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

// Starts `argv` as `program` with `child_end` as its descriptor 3 and stdout on stderr.
// Returns the posix_spawn error (0: started, pid set).
int spawn_helper(const char* program, const std::vector<std::string>& args, int child_end, pid_t& pid) {
  std::vector<std::string> argv_s = args;
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  int rc = posix_spawn_file_actions_adddup2(&fa, child_end, kHelperFd);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&fa, 2, 1);  // never the parent's stdout (--json)
  if (rc == 0) rc = ::posix_spawn(&pid, program, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc;
}

}  // namespace

HeaderReaderProcess::HeaderReaderProcess(HeaderReadOptions options) : options_(std::move(options)) {}

HeaderReaderProcess::~HeaderReaderProcess() { stop(true); }

void HeaderReaderProcess::start() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw std::runtime_error(fmt::format("cannot start the header reader: socketpair: {}", std::strerror(errno)));
  UniqueFd parent_end(sv[0]), child_end(sv[1]);
  // The child's end becomes fd 3 (dup2 clears close-on-exec); it must not already be 3, where dup2
  // would be a no-op that keeps the flag.
  if (child_end.get() == kHelperFd) child_end = UniqueFd(::fcntl(sv[1], F_DUPFD_CLOEXEC, kHelperFd + 1));
  const bool self = options_.helper_command.empty();
  std::vector<std::string> args = self ? std::vector<std::string>{"tolteca-header-reader"} : options_.helper_command;
  args.push_back(kHeaderHelperArg);
  args.insert(args.end(), options_.helper_args.begin(), options_.helper_args.end());
  const std::string program = self ? std::string("/proc/self/exe") : options_.helper_command.front();
  pid_t pid = -1;
  const int rc = child_end ? spawn_helper(program.c_str(), args, child_end.get(), pid) : errno;
  if (rc != 0) throw std::runtime_error(fmt::format("cannot start the header reader: {}", std::strerror(rc)));
  sock_ = std::move(parent_end);
  pid_ = pid;
  ++started_;
}

int HeaderReaderProcess::stop(bool kill_first) {
  int status = 0;
  sock_.reset();
  if (pid_ > 0) {
    if (kill_first) ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
  return status;
}

HeaderReaderProcess::Exchange HeaderReaderProcess::exchange(const std::string& path, std::string& reply) {
  using detail::ReadStatus;
  if (!detail::send_message(sock_.get(), path)) return Exchange::died;
  const auto deadline = std::chrono::steady_clock::now() + options_.helper_timeout;
  std::uint32_t n = 0;
  ReadStatus r = detail::read_exact_until(sock_.get(), reinterpret_cast<char*>(&n), 4, deadline);
  if (r == ReadStatus::ok && n > detail::kMaxMessage) return Exchange::died;
  if (r == ReadStatus::ok) {
    reply.assign(n, '\0');
    r = detail::read_exact_until(sock_.get(), reply.data(), n, deadline);
  }
  if (r == ReadStatus::ok) return Exchange::ok;
  return r == ReadStatus::timed_out ? Exchange::timed_out : Exchange::died;
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
        auto secs = std::chrono::duration<double>(options_.helper_timeout).count();
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
  UniqueFd fd = Env::Default().open_read(path);
  if (!fd) return false;
  unsigned char b[8];
  ssize_t n = ::pread(fd.get(), b, sizeof b, 0);
  static constexpr unsigned char kHdf5[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  return n == 8 && std::memcmp(b, kHdf5, 8) == 0;
}

std::mutex& options_mutex() {
  static std::mutex m;
  return m;
}
HeaderReadOptions& configured() {
  static HeaderReadOptions o;
  return o;
}

}  // namespace

void configure_header_reading(const HeaderReadOptions& options) {
  std::lock_guard lock(options_mutex());
  configured() = options;
}

HeaderReadOptions header_read_options() {
  std::lock_guard lock(options_mutex());
  return configured();
}

HeaderResult read_header_isolated(const std::string& path) {
  thread_local std::optional<HeaderReaderProcess> helper;
  thread_local bool isolate = true;
  if (!helper) {
    HeaderReadOptions o = header_read_options();
    isolate = o.isolate_netcdf4;
    helper.emplace(std::move(o));
  }
  if (!isolate || !has_hdf5_signature(path)) return read_header(path);
  try {
    return helper->read(path);
  } catch (const std::runtime_error&) {
    // No helper could be started (fork/socketpair failed: process limit, no memory). Reading in this
    // process is what every run did before the helper existed: correct for all but crashing files.
    return read_header(path);
  }
}

}  // namespace tolteca::files
