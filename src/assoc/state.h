#pragma once
// The association engine's state: per rule, the watermark (largest
// ingest_seq processed) and what the database looked like then (raw
// observation count and largest id, to detect deletions), plus the database's
// instance id (to detect a state that belongs to another database). Kept in
// the database (table assoc_state) or in a directory (assoc_state.json,
// written by files::write_file_atomically: temp file + fsync + rename).
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "assoc/engine.h"
#include "storage/assoc_store.h"

namespace tolteca::assoc {

struct RuleState {
  std::int64_t watermark = 0;
  std::int64_t raw_count = 0;   // raw observations in the database when the watermark was taken
  std::int64_t raw_max_id = 0;  // their largest product id
  // cal_group continuation: start time of the last VNA seen (narrows the
  // search for the VNA that opens a window; the search checks it).
  std::optional<std::int64_t> last_vna_time;
  bool operator==(const RuleState&) const = default;
};

struct EngineState {
  int version = 1;
  std::string instance_id;
  std::string updated_at;
  std::map<std::string, RuleState> rules;  // by assoc_type_name()

  std::string to_json() const;
  // Throws BadStateDocument (assoc/errors.h) naming `where` when the text is
  // not a state document, UserError for a document of another version.
  static EngineState from_json(const std::string& text, const std::string& where);
};

class StateStore {
 public:
  // Throws StateDirMissing for the filesystem backend without a directory.
  StateStore(storage::AssocStore& store, StateOptions options);
  std::optional<EngineState> load();
  // Database backend: writes inside the caller's transaction. Filesystem:
  // writes the file atomically (call after the commit).
  void save(const EngineState& state);
  void clear();
  bool in_database() const { return options_.backend == StateBackend::database; }
  std::string location() const;  // "table assoc_state" or the file path
  std::int64_t size_bytes();

 private:
  storage::AssocStore& repo_;
  StateOptions options_;
};

}  // namespace tolteca::assoc
