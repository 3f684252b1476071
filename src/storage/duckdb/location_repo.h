#pragma once
// Locations and the file rows that hang off them: usage counts, adding,
// re-rooting (every rel_path rewritten in the same transaction as the root),
// removing, and dropping rows of files recorded as missing. The decisions
// (which root, whether to extend) are made in ingest/data_root.h and the
// callers; this file only runs the SQL, each change in one transaction.
#include <cstdint>
#include <string>

#include "storage/duckdb/admin.h"
#include "storage/location_store.h"
#include "storage/duckdb/session.h"

namespace tolteca::storage::duckdb {

using storage::LocationUsage;
LocationUsage location_usage(Session& s, std::int64_t location_id);

// Creates a location; UserError when the label exists already.
Location add_location(Session& s, const std::string& label, const std::string& root_path, std::int64_t priority);

// One transaction: the location's root becomes new_root and every rel_path of
// its files loses strip_prefix (which each must start with; else UserError and
// nothing changes) and gains add_prefix. Prefixes are "" or end with '/'.
// Returns the number of file rows rewritten.
std::int64_t rebase_location(Session& s, std::int64_t location_id, const std::string& new_root,
                             const std::string& strip_prefix, const std::string& add_prefix);

// Files of the location whose rel_path does not start with prefix.
std::int64_t count_files_outside(Session& s, std::int64_t location_id, const std::string& prefix);

// One transaction: deletes the location's file rows and the location. Returns the file rows deleted.
// Observations stay (their files at other locations too).
std::int64_t remove_location(Session& s, std::int64_t location_id);

// One transaction: deletes the location's file rows recorded as missing. Returns how many.
std::int64_t prune_missing_files(Session& s, std::int64_t location_id);

}  // namespace tolteca::storage::duckdb
