#pragma once
// Guards of `ingest directory --prune` (issue 12, case 7). Pruning marks every file the database
// knows under the walked scope but that the walk did not see as missing; on an unmounted data root
// (an empty mount point) or an unreadable one that is every file. So, unless --force:
//  - check_prune_root: ROOT that cannot be listed, or that holds no entries at all, is refused before
//    anything is walked or written;
//  - prune_refusal: after the walk, marking more than max_percent of the location's available files
//    under the walked scope is refused (nothing is marked; the files the walk found are still
//    ingested). Default 50 % (IngestOptions::prune_max_percent, --prune-max-percent).
// Files under a directory the walk could not read are never marked missing (they were not looked at).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tolteca::ingest {

// Throws PruneRootRefused (errors.h) naming ROOT and the reason when ROOT cannot be listed or is empty.
void check_prune_root(const std::string& root);

// Empty when pruning may go ahead; else the one-line reason it is refused.
std::string prune_refusal(const std::string& root, std::int64_t would_be_missing, std::int64_t available_in_scope,
                          double max_percent);

// True when rel (relative to the data root) lies under one of the directories the walk could not read
// (relative to the data root; "" is the data root itself); such files are kept as they are.
bool under_unreadable(std::string_view rel, const std::vector<std::string>& unreadable_dirs);

}  // namespace tolteca::ingest
