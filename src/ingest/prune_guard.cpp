#include "ingest/prune_guard.h"

#include <dirent.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "ingest/errors.h"

namespace tolteca::ingest {

void check_prune_root(const std::string& root) {
  DIR* d = opendir(root.c_str());
  if (!d)
    throw PruneRootRefused(root, std::strerror(errno));
  bool empty = true;
  errno = 0;
  while (struct dirent* e = readdir(d)) {
    const char* n = e->d_name;
    if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0))) continue;
    empty = false;
    break;
  }
  const int err = errno;
  closedir(d);
  if (empty && err != 0)
    throw PruneRootRefused(root, std::strerror(err));
  if (empty)
    throw PruneRootRefused(root, "");
}

std::string prune_refusal(const std::string& root, std::int64_t would_be_missing, std::int64_t available_in_scope,
                          double max_percent) {
  if (would_be_missing <= 0 || available_in_scope <= 0) return {};
  const double pct = 100.0 * static_cast<double>(would_be_missing) / static_cast<double>(available_in_scope);
  if (pct <= max_percent) return {};
  return fmt::format("refusing --prune: {} of the {} available files under {} ({:.0f} %) would be marked missing, "
                     "more than --prune-max-percent {:g}; nothing was marked missing (check the data root, or give "
                     "--force)",
                     would_be_missing, available_in_scope, root, pct, max_percent);
}

bool under_unreadable(std::string_view rel, const std::vector<std::string>& dirs) {
  for (const auto& d : dirs) {  // a handful at most
    if (d.empty()) return true;  // the walked root itself
    if (rel.size() > d.size() && rel.compare(0, d.size(), d) == 0 && rel[d.size()] == '/') return true;
  }
  return false;
}

}  // namespace tolteca::ingest
