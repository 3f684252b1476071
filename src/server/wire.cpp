#include "server/wire.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tolteca::server {
namespace {

std::runtime_error sys_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

sockaddr_un address_of(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof(a.sun_path)) throw std::runtime_error("socket path too long: " + path);
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

// Reads exactly n bytes (fds from the first recvmsg into `fds`); false on EOF before any byte.
bool read_exact(int s, char* buf, std::size_t n, std::vector<files::UniqueFd>* fds) {
  std::size_t got = 0;
  while (got < n) {
    iovec iov{buf + got, n - got};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fds) {
      msg.msg_control = control;
      msg.msg_controllen = sizeof(control);
    }
    ssize_t r = ::recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw sys_error("receive");
    }
    if (r == 0) {
      if (got == 0) return false;
      throw std::runtime_error("receive: connection closed inside a message");
    }
    if (fds) {
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < count; ++i) {
          int fd;
          std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
          fds->emplace_back(fd);
        }
      }
      fds = nullptr;  // descriptors travel with the first byte only
    }
    got += static_cast<std::size_t>(r);
  }
  return true;
}

}  // namespace

void send_message(int s, const nlohmann::json& body, const std::vector<int>& fds) {
  const std::string payload = body.dump();
  std::string frame(4, '\0');
  const auto n = static_cast<std::uint32_t>(payload.size());
  frame[0] = static_cast<char>(n >> 24);
  frame[1] = static_cast<char>(n >> 16);
  frame[2] = static_cast<char>(n >> 8);
  frame[3] = static_cast<char>(n);
  frame += payload;
  if (fds.size() > 8) throw std::runtime_error("send: too many descriptors");
  std::size_t sent = 0;
  bool first = true;
  while (sent < frame.size()) {
    iovec iov{frame.data() + sent, frame.size() - sent};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (first && !fds.empty()) {
      msg.msg_control = control;
      msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
      std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    ssize_t r = ::sendmsg(s, &msg, MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw sys_error("send");
    }
    sent += static_cast<std::size_t>(r);
    first = false;
  }
}

std::optional<Message> receive_message(int s) {
  Message m;
  char len[4];
  if (!read_exact(s, len, 4, &m.fds)) return std::nullopt;
  const std::uint32_t n = (std::uint32_t(std::uint8_t(len[0])) << 24) | (std::uint32_t(std::uint8_t(len[1])) << 16) |
                          (std::uint32_t(std::uint8_t(len[2])) << 8) | std::uint32_t(std::uint8_t(len[3]));
  if (n > kMaxMessageBytes) throw std::runtime_error("receive: message too large");
  std::string payload(n, '\0');
  if (n > 0 && !read_exact(s, payload.data(), n, nullptr))
    throw std::runtime_error("receive: connection closed inside a message");
  try {
    m.body = nlohmann::json::parse(payload);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("receive: malformed message: ") + e.what());
  }
  return m;
}

files::UniqueFd connect_unix(const std::string& path) {
  files::UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) throw sys_error("socket");
  sockaddr_un a = address_of(path);
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) throw sys_error("connect to " + path);
  return s;
}

files::UniqueFd listen_unix(const std::string& path, unsigned mode) {
  files::UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) throw sys_error("socket");
  sockaddr_un a = address_of(path);
  ::unlink(path.c_str());  // a stale socket of a server that died
  // Bind with no access for anybody, then open it up to `mode`: no window with wider access.
  const mode_t old = ::umask(0777);
  const int rc = ::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
  ::umask(old);
  if (rc != 0) throw sys_error("bind " + path);
  if (::chmod(path.c_str(), mode) != 0) throw sys_error("chmod " + path);
  if (::listen(s.get(), 64) != 0) throw sys_error("listen " + path);
  return s;
}

}  // namespace tolteca::server
