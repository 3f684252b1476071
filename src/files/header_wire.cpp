// Helper-process message framing, see header_wire.h.
#include "files/header_wire.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tolteca::files::detail {
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

}  // namespace

bool send_message(int fd, std::string_view body) {
  const auto n = static_cast<std::uint32_t>(body.size());
  char len[4];
  std::memcpy(len, &n, 4);
  return write_all(fd, len, 4) && write_all(fd, body.data(), body.size());
}

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

ReadStatus read_exact_until(int fd, char* p, std::size_t n, std::chrono::steady_clock::time_point deadline) {
  while (n > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return ReadStatus::timed_out;
    pollfd pfd{fd, POLLIN, 0};
    int pr = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (pr < 0 && errno == EINTR) continue;
    if (pr < 0) return ReadStatus::peer_gone;
    if (pr == 0) return ReadStatus::timed_out;
    ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return ReadStatus::peer_gone;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return ReadStatus::ok;
}

}  // namespace tolteca::files::detail
