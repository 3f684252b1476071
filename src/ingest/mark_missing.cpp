// mark_files_missing (ingest/ingest.h): files a watcher saw deleted.
#include <fmt/format.h>

#include <algorithm>

#include "ingest/ingest.h"
#include "ingest/run.h"
#include "storage/registry.h"

namespace tolteca::ingest {

std::int64_t mark_files_missing(storage::Registry& s, const std::string& location, const std::vector<std::string>& paths,
                                const storage::IngestOptions& storage_options) {
  const auto loc = s.locations().find(location);
  if (!loc || paths.empty()) return 0;
  const std::string root = canonical_path(loc->root_path);
  std::vector<std::string> rels;
  for (const auto& p : paths) {
    // The file is gone, so its directory is resolved instead.
    const auto slash = p.rfind('/');
    if (slash == std::string::npos) continue;
    if (auto rel = relative_to(canonical_path(p.substr(0, slash)) + p.substr(slash), root)) rels.push_back(*rel);
  }
  auto writer = s.ingest().writer(loc->id, storage_options);
  const storage::Snapshot known = writer->load_snapshot_for(rels);
  std::vector<std::string> gone;
  for (const auto& rel : rels)
    if (auto it = known.find(rel); it != known.end() && it->second.available) gone.push_back(rel);
  if (gone.empty()) return 0;
  std::sort(gone.begin(), gone.end());
  writer->mark_missing(
      gone, {detail::missing_event("missing", gone.front(), fmt::format("{} file(s) deleted: marked missing", gone.size()),
                                   gone)});
  return static_cast<std::int64_t>(gone.size());
}

}  // namespace tolteca::ingest
