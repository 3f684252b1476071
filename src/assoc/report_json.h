#pragma once
// The JSON of the association reports, as `assoc generate --json`, `ingest … --with-associations
// --json` and `assoc group create|add|remove --json` print them (docs/OUTPUT.md): the CLI
// (cli/assoc_report.h) prints these, the Python package (src/python/) returns them as dicts.
#include <nlohmann/json.hpp>

#include "assoc/engine.h"
#include "assoc/named.h"

namespace tolteca::assoc {

// groups_created, groups_updated, groups_deleted, edges_added, edges_removed (and groups_unchanged
// when with_unchanged).
nlohmann::json counts_json(const ChangeCounts& c, bool with_unchanged);
// The summary of a generation inside `ingest … --with-associations --json`: mode, full_reason,
// pending, considered, elapsed_s and the counts.
nlohmann::json generate_summary_json(const GenerateReport& r);
// `assoc generate --json`: the summary, groups_unchanged, dry_run, raw_obs_total, the watermarks,
// messages, rules and changes.
nlohmann::json generate_json(const GenerateReport& r);
// `assoc generate --limit N --json`: the one-batch stream that ran it (mode, full_reason, dry_run,
// limit, processed, remaining, elapsed_s and the counts summed over its batches).
nlohmann::json generate_limited_json(const StreamReport& r, std::int64_t limit, bool dry_run);
// `assoc group create|add|remove --json`: name, created, matched, added, removed, n_items.
nlohmann::json named_group_change_json(const NamedGroupChange& c);

}  // namespace tolteca::assoc
