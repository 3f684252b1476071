#pragma once
// An owned POSIX file descriptor: move-only, closed exactly once (by its destructor, reset() or
// close()), so no exit path has to remember ::close().
//
//   files::UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
//   if (!fd) return error(errno);       // -1: nothing owned, nothing to close
//   ::pread(fd.get(), ...);              // closed when fd goes out of scope
//
// close() is for writers, who must see close's error (e.g. NFS reports a failed write there);
// the destructor ignores it, as there is nobody left to tell.
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace tolteca::files {

class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  // Takes ownership of fd (-1, or any negative value, owns nothing).
  explicit UniqueFd(int fd) noexcept : fd_(fd < 0 ? -1 : fd) {}
  ~UniqueFd() { reset(); }

  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  // Gives up ownership without closing; returns the descriptor (-1 when none).
  int release() noexcept { return std::exchange(fd_, -1); }

  // Closes the owned descriptor (errors ignored, errno preserved) and owns fd instead.
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0 && fd_ != fd) {
      const int saved = errno;
      ::close(fd_);
      errno = saved;
    }
    fd_ = fd < 0 ? -1 : fd;
  }

  // Closes now and reports close()'s result (0, or -1 with errno set); owns nothing afterwards.
  // Closing an empty UniqueFd returns 0.
  int close() noexcept {
    if (fd_ < 0) return 0;
    return ::close(std::exchange(fd_, -1));
  }

 private:
  int fd_ = -1;
};

}  // namespace tolteca::files
