#include "server/http_job.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tolteca::server {

HttpJob::HttpJob(const CommandRunner& runner, std::vector<std::string> argv, std::map<std::string, std::string> env,
                 OpenServed open, std::function<nlohmann::json()> status) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  out_read_.reset(p[0]);
  out_write_.reset(p[1]);
  err_.reset(::memfd_create("tolteca_db-http-error", MFD_CLOEXEC));
  if (!err_) throw std::runtime_error(std::string("memfd_create: ") + std::strerror(errno));
  io_.out_fd = out_write_.get();
  io_.err_fd = err_.get();
  io_.env = std::move(env);
  io_.cancelled = &cancelled_;
  io_.open = std::move(open);
  io_.server_status = std::move(status);
  thread_ = std::thread([this, &runner, argv = std::move(argv)] {
    try {
      code_ = runner(argv, io_);
    } catch (const std::exception& e) {
      const std::string msg = std::string("tolteca_db: internal error: ") + e.what() + "\n";
      (void)!::write(err_.get(), msg.data(), msg.size());
      code_ = 2;
    }
    out_write_.reset();  // end of output for the reader
  });
}

HttpJob::~HttpJob() {
  abandon();
  wait();
}

std::optional<std::string> HttpJob::read(std::size_t max, double timeout_s) {
  pollfd fd{out_read_.get(), POLLIN, 0};
  const int ms = timeout_s < 0 ? -1 : static_cast<int>(timeout_s * 1000);
  for (;;) {
    const int r = ::poll(&fd, 1, ms);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return std::nullopt;
    break;
  }
  std::string buf(max, '\0');
  for (;;) {
    const ssize_t n = ::read(out_read_.get(), buf.data(), max);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::string();
    buf.resize(static_cast<std::size_t>(n));
    return buf;
  }
}

int HttpJob::wait() {
  if (!joined_ && thread_.joinable()) thread_.join();
  joined_ = true;
  return code_;
}

std::string HttpJob::error_text() {
  std::string text;
  char buf[4096];
  for (off_t off = 0;;) {
    const ssize_t n = ::pread(err_.get(), buf, sizeof(buf), off);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    off += n;
    if (text.size() > (1 << 16)) break;
  }
  // The last "tolteca_db: error: ..." line is the message; notes before it are context.
  std::string last;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    for (const char* prefix : {"tolteca_db: error: ", "tolteca_db: internal error: ", "Error: "})
      if (line.rfind(prefix, 0) == 0) {
        last = line.substr(std::strlen(prefix));
        break;
      }
    if (last.empty() && !line.empty()) last = line;
    start = end + 1;
  }
  return last;
}

void HttpJob::abandon() {
  cancelled_ = true;
  out_read_.reset();
}

}  // namespace tolteca::server
