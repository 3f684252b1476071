#include "ingest/data_root.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "ingest/ingest.h"  // canonical_path, relative_to, check_directory
#include "model/error.h"

namespace fs = std::filesystem;

namespace tolteca::ingest {

namespace {

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

}  // namespace

std::string absolute_root(const std::string& path) {
  if (path.empty()) throw UserError("a data root must not be empty");
  std::string p = path;
  if (p[0] == '~') {
    if (p.size() > 1 && p[1] != '/')
      throw UserError(fmt::format("data root '{}': '~user' is not supported; write the path out", path));
    const char* home = std::getenv("HOME");
    if (!home || !*home) throw UserError(fmt::format("data root '{}': $HOME is not set", path));
    p = std::string(home) + p.substr(1);
  }
  fs::path abs = fs::path(p).is_absolute() ? fs::path(p) : fs::current_path() / p;
  std::string s = abs.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

bool looks_like_data_root(const std::string& dir) {
  const fs::path d(dir);
  if (is_dir(d / "tel")) return true;
  const fs::path t = d / "toltec";
  return is_dir(t / "ics") || is_dir(t / "tcs") || is_dir(t / "clip");
}

std::string detect_data_root(const std::string& dir) {
  const std::string start = absolute_root(dir);
  for (fs::path p(start);; p = p.parent_path()) {
    if (looks_like_data_root(p.string())) return absolute_root(p.string());
    if (p == p.root_path() || p.parent_path() == p) break;
  }
  return start;
}

std::string common_ancestor(const std::string& a, const std::string& b) {
  fs::path out;
  const fs::path pa(a), pb(b);
  for (auto ia = pa.begin(), ib = pb.begin(); ia != pa.end() && ib != pb.end() && *ia == *ib; ++ia, ++ib)
    out /= *ia;
  std::string s = out.string();
  if (s.empty()) return "/";
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::optional<std::string> lexical_relative(const std::string& path, const std::string& root) {
  if (path == root) return std::string();
  std::string r = root;
  if (r.empty() || r.back() != '/') r += '/';
  if (path.size() > r.size() && path.compare(0, r.size(), r) == 0) return path.substr(r.size());
  return std::nullopt;
}

std::string canonical_path(const std::string& path) {
  std::error_code ec;
  auto p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) p = fs::absolute(path).lexically_normal();
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// The same test on canonical paths as lexical_relative() on absolute_root() ones.
std::optional<std::string> relative_to(const std::string& path, const std::string& root) {
  return lexical_relative(path, root);
}

void check_directory(const std::string& root) {
  struct stat st;
  if (::stat(canonical_path(root).c_str(), &st) != 0)
    throw UserError(fmt::format("cannot read directory {}: {}", root, std::strerror(errno)));
  if (!S_ISDIR(st.st_mode)) throw UserError(fmt::format("{} is not a directory", root));
}

}  // namespace tolteca::ingest
