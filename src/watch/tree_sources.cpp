#include "watch/tree_sources.h"

#include <dirent.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

namespace tolteca::watch {
namespace {

// Every file (not directory) under dir, recursively, with its state; hidden entries (".x") skipped,
// an unreadable directory skipped (its files are not listed).
void walk(const std::string& dir, std::map<std::string, FileState>& out) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> subdirs;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string path = dir + "/" + e->d_name;
    struct stat s {};
    if (::lstat(path.c_str(), &s) != 0) continue;
    if (S_ISDIR(s.st_mode))
      subdirs.push_back(path);
    else
      out[path] = file_state(s);
  }
  ::closedir(d);
  for (const auto& sub : subdirs) walk(sub, out);
}

}  // namespace

bool needs_polling(const std::string& dir) {
  struct statfs fs {};
  if (::statfs(dir.c_str(), &fs) != 0) return false;
  // Magic numbers of linux/magic.h (and of file systems that have none there).
  static const std::set<unsigned long> network = {
      0x6969,      // NFS
      0x517B,      // SMB
      0xFF534D42,  // CIFS
      0xFE534D42,  // SMB2
      0x65735546,  // FUSE (sshfs, …)
      0x01021997,  // 9p
      0x00C36400,  // Ceph
      0x0BD00BD0,  // Lustre
      0x47504653,  // GPFS
      0x5346414F,  // AFS
  };
  return network.count(static_cast<unsigned long>(fs.f_type)) != 0;
}

std::vector<std::string> PollSource::scan() {
  std::map<std::string, FileState> now;
  for (const auto& r : roots_) walk(r, now);
  std::vector<std::string> changed;
  for (const auto& [path, st] : now) {
    auto it = last_.find(path);
    if (it == last_.end() || !(it->second == st)) changed.push_back(path);
  }
  for (const auto& [path, st] : last_)
    if (!now.count(path)) changed.push_back(path);
  last_ = std::move(now);
  return changed;
}

InotifySource::InotifySource(std::size_t max_dirs) : max_dirs_(max_dirs) {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error(std::string("inotify: ") + std::strerror(errno));
}

InotifySource::~InotifySource() {
  if (fd_ >= 0) ::close(fd_);
}

bool InotifySource::add_tree(const std::string& dir, std::vector<std::string>& found) {
  constexpr std::uint32_t mask =
      IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | IN_ONLYDIR;
  // Watch first, list after: a file written between the two is both listed and an event (never lost).
  if (max_dirs_ > 0 && dirs_.size() >= max_dirs_) {
    unwatched_ = true;
    return false;
  }
  const int wd = ::inotify_add_watch(fd_, dir.c_str(), mask);
  if (wd < 0) {
    if (errno == ENOSPC || errno == ENOMEM) unwatched_ = true;
    return false;
  }
  dirs_[wd] = dir;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return true;
  std::vector<std::string> subdirs;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string path = dir + "/" + e->d_name;
    struct stat s {};
    if (::lstat(path.c_str(), &s) != 0) continue;
    if (S_ISDIR(s.st_mode))
      subdirs.push_back(path);
    else
      found.push_back(path);
  }
  ::closedir(d);
  for (const auto& sub : subdirs) add_tree(sub, found);
  return true;
}

InotifySource::Events InotifySource::wait(int timeout_ms) {
  Events ev;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return ev;
  alignas(inotify_event) char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      const auto* e = reinterpret_cast<const inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
      if (e->mask & IN_Q_OVERFLOW) {
        ev.overflow = true;
        continue;
      }
      if (e->mask & IN_IGNORED) {
        dirs_.erase(e->wd);
        continue;
      }
      auto it = dirs_.find(e->wd);
      if (it == dirs_.end() || e->len == 0 || e->name[0] == '.') continue;
      const std::string path = it->second + "/" + e->name;
      if (e->mask & IN_ISDIR) {
        if (e->mask & (IN_CREATE | IN_MOVED_TO)) add_tree(path, ev.paths);
        continue;
      }
      ev.paths.push_back(path);
    }
  }
  return ev;
}

}  // namespace tolteca::watch
