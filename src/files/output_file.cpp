#include "files/output_file.h"

#include <fcntl.h>
#include <signal.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "files/unique_fd.h"
#include "model/error.h"

namespace fs = std::filesystem;

namespace tolteca::files {

namespace {

struct FileId {
  dev_t dev;
  ino_t ino;
};

std::optional<FileId> file_id(const std::string& p) {
  struct stat sb {};
  if (::stat(p.c_str(), &sb) != 0) return std::nullopt;
  return FileId{sb.st_dev, sb.st_ino};
}

// Absolute, symlinks of the existing prefix resolved, "." and ".." folded.
fs::path normalised(const std::string& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  if (ec) return fs::path(p).lexically_normal();
  fs::path w = fs::weakly_canonical(a, ec);
  return (ec ? a : w).lexically_normal();
}

// True when `inner` lies strictly below directory `outer` (both normalised).
bool is_inside(const fs::path& inner, const fs::path& outer) {
  auto o = outer.begin(), i = inner.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *o != *i) return false;
  }
  return i != inner.end();
}

bool lexists(const std::string& p, struct stat& sb) { return ::lstat(p.c_str(), &sb) == 0; }

// The target without trailing separators ("out/" -> "out").
std::string strip_trailing_separators(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string temp_sibling(const std::string& target) {
  static std::atomic<unsigned> counter{0};
  fs::path t(target);
  fs::path dir = t.has_parent_path() ? t.parent_path() : fs::path(".");
  std::string name = t.filename().string();
  // Keep well under NAME_MAX: a long name keeps only its extension.
  if (name.size() > 200) name = fmt::format("x{}", t.extension().string().substr(0, 50));
  return (dir / fmt::format(".tolteca-tmp.{}.{}.{}", ::getpid(), counter.fetch_add(1), name)).string();
}

// Temporaries of `target` left by a process that was killed (its pid is gone): removed.
void remove_stale_temporaries(const std::string& target) {
  fs::path t(target);
  const std::string dir = t.has_parent_path() ? t.parent_path().string() : std::string(".");
  const std::string name = t.filename().string();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string f = e.path().filename().string();
    unsigned long pid = 0;
    unsigned n = 0;
    int used = 0;
    if (std::sscanf(f.c_str(), ".tolteca-tmp.%lu.%u.%n", &pid, &n, &used) < 2 || used <= 0) continue;
    const std::string rest = f.substr(static_cast<std::size_t>(used));
    if (rest != name && rest != name + ".old") continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code rm;
    fs::remove_all(e.path(), rm);
  }
}

std::string parent_of(const std::string& target) {
  fs::path t(target);
  return t.has_parent_path() ? t.parent_path().string() : std::string(".");
}

void fsync_path(const std::string& p, int flags, const std::string& target) {
  UniqueFd fd(::open(p.c_str(), flags | O_CLOEXEC));
  if (!fd) throw UserError(fmt::format("cannot write {}: open {}: {}", target, p, std::strerror(errno)));
  int rc = ::fsync(fd.get());
  int err = errno;
  fd.reset();
  if (rc != 0) throw UserError(fmt::format("cannot write {}: fsync {}: {}", target, p, std::strerror(err)));
}

void fsync_dir_quietly(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd) ::fsync(fd.get());
}

void check_not_protected(const std::string& target, OutputKind kind, const OutputPolicy& policy) {
  for (const auto& p : policy.protected_paths) {
    if (same_file(target, p))
      throw UserError(fmt::format("{} is the open database {}: refusing to write over it (--force does not change "
                                  "this)",
                                  target, p));
    if (kind == OutputKind::directory && fs::exists(p) && is_inside(normalised(p), normalised(target)))
      throw UserError(fmt::format("{} holds the open database {}: refusing to write there", target, p));
  }
}

// rename(2) over the target; without force, fails (EEXIST) if a target appeared meanwhile.
int rename_into_place(const std::string& from, const std::string& to, bool force) {
  if (force) return ::rename(from.c_str(), to.c_str());
  int rc = ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE);
  if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
    struct stat sb {};
    if (lexists(to, sb)) {
      errno = EEXIST;
      return -1;
    }
    return ::rename(from.c_str(), to.c_str());
  }
  return rc;
}

}  // namespace

bool same_file(const std::string& a, const std::string& b) {
  auto ia = file_id(a), ib = file_id(b);
  if (ia && ib) return ia->dev == ib->dev && ia->ino == ib->ino;
  return normalised(a) == normalised(b);
}

void check_output_target(const std::string& target_in, OutputKind kind, const OutputPolicy& policy) {
  if (target_in.empty()) throw UserError("an output path is required");
  const std::string target = strip_trailing_separators(target_in);
  check_not_protected(target, kind, policy);
  struct stat sb {};
  if (lexists(target, sb)) {
    const bool is_dir = S_ISDIR(sb.st_mode) || (S_ISLNK(sb.st_mode) && fs::is_directory(target));
    if (kind == OutputKind::file) {
      if (is_dir) throw UserError(fmt::format("{} is a directory; give a file name", target));
      if (!policy.force) throw UserError(fmt::format("{} already exists; pass --force to replace it", target));
    } else {
      if (!is_dir) throw UserError(fmt::format("{} exists and is not a directory", target));
      std::error_code ec;
      const bool empty = fs::is_empty(target, ec);
      if (ec) throw UserError(fmt::format("cannot read directory {}: {}", target, ec.message()));
      if (!empty && !policy.force)
        throw UserError(fmt::format("{} already exists and is not empty; pass --force to replace it", target));
    }
    return;
  }
  if (kind == OutputKind::file) {
    const std::string parent = parent_of(target);
    if (!fs::is_directory(parent)) throw UserError(fmt::format("directory {} does not exist (for {})", parent, target));
  }
}

// ---- OutputFile -------------------------------------------------------------

OutputFile::OutputFile(std::string target, const OutputPolicy& policy)
    : target_(std::move(target)), force_(policy.force), protected_(policy.protected_paths) {
  check_output_target(target_, OutputKind::file, policy);
  remove_stale_temporaries(target_);
  temp_ = temp_sibling(target_);
}

OutputFile::~OutputFile() {
  if (!committed_) ::unlink(temp_.c_str());
}

void OutputFile::write(const std::string& content) {
  UniqueFd fd(::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) throw UserError(fmt::format("cannot write {} (open {}): {}", target_, temp_, std::strerror(errno)));
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t w = ::write(fd.get(), p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      throw UserError(fmt::format("cannot write {} (write {}): {}", target_, temp_, std::strerror(err)));
    }
    p += w;
    left -= static_cast<std::size_t>(w);
  }
  if (fd.close() != 0)
    throw UserError(fmt::format("cannot write {} (close {}): {}", target_, temp_, std::strerror(errno)));
}

void OutputFile::commit() {
  fsync_path(temp_, O_RDONLY, target_);
  // The check again, right before the rename: the database may have been given another name meanwhile.
  check_not_protected(target_, OutputKind::file, OutputPolicy{force_, protected_});
  if (rename_into_place(temp_, target_, force_) != 0) {
    int err = errno;
    if (err == EEXIST) throw UserError(fmt::format("{} appeared while writing; pass --force to replace it", target_));
    throw UserError(fmt::format("cannot write {} (rename {}): {}", target_, temp_, std::strerror(err)));
  }
  committed_ = true;
  fsync_dir_quietly(parent_of(target_));
}

// ---- OutputDir --------------------------------------------------------------

OutputDir::OutputDir(std::string target, const OutputPolicy& policy)
    : target_(strip_trailing_separators(std::move(target))) {
  check_output_target(target_, OutputKind::directory, policy);
  std::error_code ec;
  const std::string parent = parent_of(target_);
  fs::create_directories(parent, ec);
  if (ec) throw UserError(fmt::format("cannot create directory {}: {}", parent, ec.message()));
  remove_stale_temporaries(target_);
  temp_ = temp_sibling(target_);
  if (::mkdir(temp_.c_str(), 0755) != 0)
    throw UserError(fmt::format("cannot write {} (mkdir {}): {}", target_, temp_, std::strerror(errno)));
}

OutputDir::~OutputDir() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(temp_, ec);
}

void OutputDir::commit() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(temp_, ec))
    if (e.is_regular_file()) fsync_path(e.path().string(), O_RDONLY, target_);
  if (ec) throw UserError(fmt::format("cannot write {} (read {}): {}", target_, temp_, ec.message()));
  fsync_path(temp_, O_RDONLY | O_DIRECTORY, target_);
  struct stat sb {};
  if (!lexists(target_, sb)) {
    if (rename_into_place(temp_, target_, false) != 0)
      throw UserError(fmt::format("cannot write {} (rename {}): {}", target_, temp_, std::strerror(errno)));
    committed_ = true;
  } else if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) == 0) {
    committed_ = true;
    fs::remove_all(temp_, ec);  // now the old tree
  } else {
    // No atomic exchange on this filesystem: move the old tree aside first.
    const std::string old = temp_sibling(target_) + ".old";
    if (::rename(target_.c_str(), old.c_str()) != 0 || ::rename(temp_.c_str(), target_.c_str()) != 0)
      throw UserError(fmt::format("cannot write {} (rename {}): {}", target_, temp_, std::strerror(errno)));
    committed_ = true;
    fs::remove_all(old, ec);
  }
  fsync_dir_quietly(parent_of(target_));
}

void write_file_atomically(const std::string& path, const std::string& content, const OutputPolicy& policy) {
  OutputFile out(path, policy);
  out.write(content);
  out.commit();
}

}  // namespace tolteca::files
