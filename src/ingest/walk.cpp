#include "ingest/walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "model/error.h"

namespace tolteca::ingest {

namespace {

std::string_view base_name(std::string_view rel) {
  auto slash = rel.rfind('/');
  return slash == std::string_view::npos ? rel : rel.substr(slash + 1);
}

bool pattern_matches(const WalkOptions& opts, std::string_view rel) {
  if (opts.pattern.empty() || opts.pattern == "*") return true;
  if (opts.pattern.find('/') != std::string::npos)
    return fnmatch(opts.pattern.c_str(), std::string(rel).c_str(), FNM_PATHNAME) == 0;
  std::string name(base_name(rel));
  return fnmatch(opts.pattern.c_str(), name.c_str(), 0) == 0;
}

}  // namespace

std::int64_t mtime_ns(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec;
}

bool in_walk_scope(const WalkOptions& opts, std::string_view rel) {
  if (!opts.recursive && rel.find('/') != std::string_view::npos) return false;
  return pattern_matches(opts, rel);
}

namespace {

// One walk (walk_tree): directories depth first, each read once with readdir + fstatat.
class TreeWalker {
 public:
  TreeWalker(const std::string& root, const WalkOptions& opts, const std::function<void(const WalkedFile&)>& on_file,
             const std::function<void(std::string_view, std::string_view)>& on_error,
             const std::function<bool()>& stop)
      : root_(root),
        opts_(opts),
        on_file_(on_file),
        on_error_(on_error),
        stop_(stop),
        simple_pattern_(opts.pattern.empty() || opts.pattern == "*"),
        path_pattern_(opts.pattern.find('/') != std::string::npos) {}

  // false: stopped.
  bool run() {
    std::vector<std::string> pending{""};  // directories relative to root
    while (!pending.empty()) {
      std::string dir_rel = std::move(pending.back());
      pending.pop_back();
      std::vector<std::string> subdirs;
      if (!read_dir(dir_rel, subdirs)) return false;
      for (auto it = subdirs.rbegin(); it != subdirs.rend(); ++it)
        pending.push_back(dir_rel.empty() ? std::move(*it) : dir_rel + "/" + *it);
    }
    return true;
  }

 private:
  struct DirCloser {
    void operator()(DIR* d) const { closedir(d); }
  };

  // The entries of one directory; its subdirectories to walk into `subdirs`. false: stopped.
  bool read_dir(const std::string& dir_rel, std::vector<std::string>& subdirs) {
    const std::string dir_abs = dir_rel.empty() ? root_ : root_ + "/" + dir_rel;
    std::unique_ptr<DIR, DirCloser> d(opendir(dir_abs.c_str()));
    if (!d) {
      on_error_(dir_rel.empty() ? "." : dir_rel, std::strerror(errno));
      return true;
    }
    const int dfd = dirfd(d.get());
    while (struct dirent* e = readdir(d.get())) {
      const char* name = e->d_name;
      if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
      if ((++n_ & 4095) == 0 && stop_ && stop_()) return false;
      entry(dfd, dir_rel, name, e->d_type, subdirs);
    }
    return true;
  }

  void entry(int dfd, const std::string& dir_rel, const char* name, unsigned char type,
             std::vector<std::string>& subdirs) {
    if (type == DT_DIR) {
      if (opts_.recursive && name[0] != '.') subdirs.emplace_back(name);
      report_file_named_directory(dir_rel, name);
      return;
    }
    if (type != DT_REG && type != DT_LNK && type != DT_UNKNOWN) return;  // fifos, sockets, devices
    rel_.assign(dir_rel);
    if (!rel_.empty()) rel_ += '/';
    rel_ += name;
    if (!simple_pattern_ && type != DT_UNKNOWN && !matches_before_stat(name)) return;
    struct stat st;
    if (fstatat(dfd, name, &st, 0) != 0) {
      on_error_(rel_, std::strerror(errno));
      return;
    }
    if (S_ISDIR(st.st_mode)) {
      if (type == DT_UNKNOWN) report_file_named_directory(dir_rel, name);
      // DT_UNKNOWN file systems: a real directory (symlinked ones are not followed).
      if (type == DT_UNKNOWN && opts_.recursive && name[0] != '.') {
        struct stat lst;
        if (fstatat(dfd, name, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(lst.st_mode)) subdirs.emplace_back(name);
      }
      return;
    }
    if (!S_ISREG(st.st_mode)) return;
    if (type == DT_UNKNOWN && !simple_pattern_ && !pattern_matches(opts_, rel_)) return;
    on_file_(WalkedFile{rel_, static_cast<std::int64_t>(st.st_size), mtime_ns(st)});
  }

  // The pattern on the path (rel_) or on the name, before any stat.
  bool matches_before_stat(const char* name) const {
    if (path_pattern_) return fnmatch(opts_.pattern.c_str(), rel_.c_str(), FNM_PATHNAME) == 0;
    return fnmatch(opts_.pattern.c_str(), name, 0) == 0;
  }

  // A directory named like a netCDF data file is reported (and still walked): someone may have
  // unpacked or copied a file into the wrong place.
  void report_file_named_directory(const std::string& dir_rel, const char* name) {
    std::string_view nv(name);
    if (nv.size() < 4 || nv.substr(nv.size() - 3) != ".nc") return;
    std::string r = dir_rel.empty() ? std::string(nv) : dir_rel + "/" + std::string(nv);
    if (simple_pattern_ || pattern_matches(opts_, r)) on_error_(r, "is a directory, not a data file");
  }

  const std::string& root_;
  const WalkOptions& opts_;
  const std::function<void(const WalkedFile&)>& on_file_;
  const std::function<void(std::string_view, std::string_view)>& on_error_;
  const std::function<bool()>& stop_;
  const bool simple_pattern_, path_pattern_;
  std::string rel_;  // the current entry's path relative to root (reused: no allocation per entry)
  std::size_t n_ = 0;
};

}  // namespace

bool walk_tree(const std::string& root, const WalkOptions& opts, const std::function<void(const WalkedFile&)>& on_file,
               const std::function<void(std::string_view, std::string_view)>& on_error,
               const std::function<bool()>& stop) {
  struct stat rst;
  if (stat(root.c_str(), &rst) != 0)
    throw UserError(fmt::format("cannot read directory {}: {}", root, std::strerror(errno)));
  if (!S_ISDIR(rst.st_mode)) throw UserError(fmt::format("{} is not a directory", root));
  return TreeWalker(root, opts, on_file, on_error, stop).run();
}

}  // namespace tolteca::ingest
