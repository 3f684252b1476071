#pragma once
// Directory walking for ingestion: readdir + fstatat, no std::filesystem on
// the hot path. Symlinked directories are not followed (no loops); symlinks to
// files are followed. Directories whose name starts with '.' are not entered.
#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace tolteca::ingest {

struct WalkOptions {
  std::string pattern;  // glob (fnmatch); on the file name, or on the path relative to the root when it has '/'
  bool recursive = true;
};

struct WalkedFile {
  std::string_view rel;  // relative to the walk root, '/'-separated
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
};

// The modification time of a stat(2) result, in nanoseconds since the epoch (as sources.mtime_ns).
std::int64_t mtime_ns(const struct stat& st);

// True when the file (rel path under the walk root) is in the walk's scope:
// matches the pattern and, without recursion, sits directly in the root.
bool in_walk_scope(const WalkOptions& opts, std::string_view rel);

// Calls on_file for every regular file in scope; on_error(rel_path, reason) for
// entries that cannot be read (the walk goes on). Returns false if the walk was
// stopped because `stop` returned true. Throws UserError when root is not a directory.
bool walk_tree(const std::string& root, const WalkOptions& opts, const std::function<void(const WalkedFile&)>& on_file,
               const std::function<void(std::string_view rel, std::string_view reason)>& on_error,
               const std::function<bool()>& stop = {});

}  // namespace tolteca::ingest
