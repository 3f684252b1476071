#pragma once
// Which watched files are ready to be read: a file is ready once its size and mtime have stayed the
// same for the settle time (an instrument is no longer writing it) and it is a regular file (the
// current-file links such as toltec0.nc are symbolic links: never read). A file that is gone when it
// is looked at again is reported gone (to be marked missing). Pure bookkeeping, no I/O of its own:
// the caller says which paths were touched and how to stat one, and passes the time.
#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tolteca::watch {

using Clock = std::chrono::steady_clock;

// t + seconds.
inline Clock::time_point after(Clock::time_point t, double seconds) {
  return t + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

struct FileState {
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool regular = true;  // false: a symbolic link, a directory, a device…
  bool operator==(const FileState&) const = default;
};

// nullopt: the path does not exist.
using StatFn = std::function<std::optional<FileState>(const std::string& path)>;

// What stat() says of a path now (lstat: a link is not followed).
std::optional<FileState> stat_path(const std::string& path);
// The state an lstat result gives.
FileState file_state(const struct stat& st);

class FileTracker {
 public:
  explicit FileTracker(double settle_seconds) : settle_(std::chrono::duration<double>(settle_seconds)) {}

  // Something happened to path (created, written, renamed, deleted, or found by a scan): it is looked
  // at again, and is ready only after a full settle time from now.
  void touched(const std::string& path, Clock::time_point now);

  struct Due {
    std::vector<std::string> ready;  // regular files, unchanged for the settle time (sorted)
    std::vector<std::string> gone;   // paths that no longer exist (sorted)
  };
  // Stats every pending path; those that settled or vanished leave the tracker.
  Due take_due(Clock::time_point now, const StatFn& stat);

  std::size_t pending() const { return pending_.size(); }

 private:
  struct Entry {
    std::optional<FileState> state;  // as last seen (nullopt: not yet looked at)
    Clock::time_point changed;       // when it was last touched or seen to change
  };
  std::chrono::duration<double> settle_;
  std::map<std::string, Entry> pending_;
};

}  // namespace tolteca::watch
