#include "watch/file_tracker.h"

#include <sys/stat.h>

namespace tolteca::watch {

std::optional<FileState> stat_path(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return file_state(st);
}

FileState file_state(const struct stat& st) {
  FileState s;
  s.size = st.st_size;
  s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  s.regular = S_ISREG(st.st_mode);
  return s;
}

void FileTracker::touched(const std::string& path, Clock::time_point now) {
  auto& e = pending_[path];
  e.changed = now;
}

FileTracker::Due FileTracker::take_due(Clock::time_point now, const StatFn& stat) {
  Due due;
  for (auto it = pending_.begin(); it != pending_.end();) {
    const auto st = stat(it->first);
    Entry& e = it->second;
    if (!st) {
      due.gone.push_back(it->first);
      it = pending_.erase(it);
      continue;
    }
    if (!st->regular) {  // a current-file link (or a directory): nothing to read
      it = pending_.erase(it);
      continue;
    }
    if (!e.state || !(*e.state == *st)) {
      // First look, or it changed since: the settle time starts again unless it was touched later.
      if (e.state) e.changed = now;
      e.state = st;
    }
    if (now - e.changed >= settle_) {
      due.ready.push_back(it->first);
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  return due;
}

}  // namespace tolteca::watch
