#pragma once
// Where the watcher learns that files changed: inotify (events, immediate) or polling (a walk that
// compares each file's size and mtime with the previous walk). Both report paths only; whether a
// file is ready is the FileTracker's decision (watch/file_tracker.h).
//
// Polling is chosen where inotify cannot see changes: network file systems (NFS, SMB/CIFS, FUSE,
// 9p, Ceph, Lustre, GPFS: writes by other hosts raise no event here), or where inotify cannot start.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "watch/file_tracker.h"

namespace tolteca::watch {

// True when changes under dir by other hosts would raise no inotify event (its file system type).
bool needs_polling(const std::string& dir);

// Polling: each scan() returns the paths that appeared, changed or vanished since the last one (the
// first scan returns every file).
class PollSource {
 public:
  explicit PollSource(std::vector<std::string> roots) : roots_(std::move(roots)) {}
  std::vector<std::string> scan();

 private:
  std::vector<std::string> roots_;
  std::map<std::string, FileState> last_;
};

// inotify on every directory of the trees. New directories are watched as they appear, and the files
// already in them are reported (they may have been written before the watch existed).
class InotifySource {
 public:
  // Throws std::runtime_error when inotify cannot start (the caller then polls). max_dirs > 0: watch
  // at most that many directories (a share of the per-user limit), as if the limit were reached then.
  explicit InotifySource(std::size_t max_dirs = 0);
  ~InotifySource();
  InotifySource(const InotifySource&) = delete;
  InotifySource& operator=(const InotifySource&) = delete;

  // Watches dir and every directory below it; appends the files found in them to `found`.
  // False when dir cannot be watched (it does not exist yet, or the watch limit is reached).
  bool add_tree(const std::string& dir, std::vector<std::string>& found);

  struct Events {
    std::vector<std::string> paths;  // files created, written, moved or deleted
    bool overflow = false;           // the kernel dropped events: the caller must rescan
  };
  // Waits up to timeout_ms for events and returns them.
  Events wait(int timeout_ms);
  // A directory could not be watched (the per-user watch limit, fs.inotify.max_user_watches): its
  // changes raise no event, so the caller must poll instead.
  bool some_directory_unwatched() const { return unwatched_; }

 private:
  int fd_ = -1;
  std::size_t max_dirs_ = 0;
  std::map<int, std::string> dirs_;  // watch descriptor -> directory
  bool unwatched_ = false;
};

}  // namespace tolteca::watch
