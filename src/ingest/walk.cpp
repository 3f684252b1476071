#include "ingest/walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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

bool walk_tree(const std::string& root, const WalkOptions& opts, const std::function<void(const WalkedFile&)>& on_file,
               const std::function<void(std::string_view, std::string_view)>& on_error,
               const std::function<bool()>& stop) {
  struct stat rst;
  if (stat(root.c_str(), &rst) != 0)
    throw UserError(fmt::format("cannot read directory {}: {}", root, std::strerror(errno)));
  if (!S_ISDIR(rst.st_mode)) throw UserError(fmt::format("{} is not a directory", root));

  const bool simple_pattern = opts.pattern.empty() || opts.pattern == "*";
  const bool path_pattern = opts.pattern.find('/') != std::string::npos;
  // A directory named like a netCDF data file is reported (and still walked): someone may have
  // unpacked or copied a file into the wrong place.
  auto report_file_named_directory = [&](const std::string& dir_rel, const char* name) {
    std::string_view nv(name);
    if (nv.size() < 4 || nv.substr(nv.size() - 3) != ".nc") return;
    std::string r = dir_rel.empty() ? std::string(nv) : dir_rel + "/" + std::string(nv);
    if (simple_pattern || pattern_matches(opts, r)) on_error(r, "is a directory, not a data file");
  };
  std::vector<std::string> pending{""};  // directories relative to root
  std::string rel;
  std::size_t n = 0;
  while (!pending.empty()) {
    std::string dir_rel = std::move(pending.back());
    pending.pop_back();
    std::string dir_abs = dir_rel.empty() ? root : root + "/" + dir_rel;
    DIR* d = opendir(dir_abs.c_str());
    if (!d) {
      on_error(dir_rel.empty() ? "." : dir_rel, std::strerror(errno));
      continue;
    }
    const int dfd = dirfd(d);
    std::vector<std::string> subdirs;
    while (struct dirent* e = readdir(d)) {
      const char* name = e->d_name;
      if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
      if ((++n & 4095) == 0 && stop && stop()) {
        closedir(d);
        return false;
      }
      unsigned char type = e->d_type;
      if (type == DT_DIR) {
        if (opts.recursive && name[0] != '.') subdirs.emplace_back(name);
        report_file_named_directory(dir_rel, name);
        continue;
      }
      if (type != DT_REG && type != DT_LNK && type != DT_UNKNOWN) continue;  // fifos, sockets, devices
      rel.assign(dir_rel);
      if (!rel.empty()) rel += '/';
      rel += name;
      if (!simple_pattern) {
        if (path_pattern) {
          if (fnmatch(opts.pattern.c_str(), rel.c_str(), FNM_PATHNAME) != 0) {
            if (type != DT_UNKNOWN) continue;
          }
        } else if (fnmatch(opts.pattern.c_str(), name, 0) != 0 && type != DT_UNKNOWN) {
          continue;
        }
      }
      struct stat st;
      if (fstatat(dfd, name, &st, 0) != 0) {
        on_error(rel, std::strerror(errno));
        continue;
      }
      if (S_ISDIR(st.st_mode)) {
        if (type == DT_UNKNOWN) report_file_named_directory(dir_rel, name);
        // DT_UNKNOWN file systems: a real directory (symlinked ones are not followed).
        if (type == DT_UNKNOWN && opts.recursive && name[0] != '.') {
          struct stat lst;
          if (fstatat(dfd, name, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(lst.st_mode)) subdirs.emplace_back(name);
        }
        continue;
      }
      if (!S_ISREG(st.st_mode)) continue;
      if (type == DT_UNKNOWN && !simple_pattern && !pattern_matches(opts, rel)) continue;
      on_file(WalkedFile{rel, static_cast<std::int64_t>(st.st_size), mtime_ns(st)});
    }
    closedir(d);
    for (auto it = subdirs.rbegin(); it != subdirs.rend(); ++it)
      pending.push_back(dir_rel.empty() ? std::move(*it) : dir_rel + "/" + *it);
  }
  return true;
}

}  // namespace tolteca::ingest
