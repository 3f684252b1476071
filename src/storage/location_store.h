#pragma once
// Locations (named data roots) and the file rows that hang off them. The
// decisions (which root, whether to extend it) are ingest/'s; this store only
// records them, each change in ONE transaction (all of it or nothing).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tolteca::storage {

struct Location {
  std::int64_t id = 0;
  std::string label;
  std::string root_path;
  std::int64_t priority = 0;
};

struct LocationUsage {
  std::int64_t files = 0;    // file rows of the location
  std::int64_t missing = 0;  // of which recorded as missing
};

class LocationStore {
 public:
  virtual ~LocationStore() = default;

  // Reads.
  virtual std::optional<Location> find(const std::string& label) = 0;
  virtual std::vector<Location> list() = 0;  // by priority, then label
  virtual LocationUsage usage(std::int64_t location_id) = 0;
  // Files of the location whose rel_path does not start with prefix.
  virtual std::int64_t count_files_outside(std::int64_t location_id, const std::string& prefix) = 0;

  // Writes: creates the location, or updates its root path/priority. Returns it.
  virtual Location upsert(const std::string& label, const std::string& root_path, std::int64_t priority = 0) = 0;
  // Writes: creates a location; UserError when the label exists already.
  virtual Location add(const std::string& label, const std::string& root_path, std::int64_t priority) = 0;
  // Writes (one transaction): the root becomes new_root and every rel_path of
  // the location's files loses strip_prefix (which each must start with; else
  // UserError and nothing changes) and gains add_prefix. Prefixes are "" or
  // end with '/'. Returns the number of file rows rewritten.
  virtual std::int64_t rebase(std::int64_t location_id, const std::string& new_root, const std::string& strip_prefix,
                              const std::string& add_prefix) = 0;
  // Writes (one transaction): deletes the location's file rows and the
  // location (observations stay). Returns the file rows deleted.
  virtual std::int64_t remove(std::int64_t location_id) = 0;
  // Writes (one transaction): deletes the location's file rows recorded as missing. Returns how many.
  virtual std::int64_t prune_missing(std::int64_t location_id) = 0;
};

}  // namespace tolteca::storage
