#pragma once
// Shared by the `ingest …` commands (cmd_ingest_files.cpp, cmd_ingest_site.cpp): the summary an
// ingest prints, the options several of them take, and associations after an ingest.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ingest/ingest.h"
#include "storage/registry.h"

namespace tolteca::cli {

// "3 (bad name: 2, unreadable: 1)"-style counts with their reasons.
std::string reasons_text(const std::map<std::string, std::int64_t>& reasons);
std::string with_reasons(std::int64_t n, const std::map<std::string, std::int64_t>& reasons);
// The human summary of an ingest ("scanned: …, new: …"); what: "directory", "file", ...
void print_summary(const ingest::IngestSummary& s, const char* what);

// --location/-l and --data-root.
void add_location_options(CLI::App* cmd, std::string& location, std::string& data_root);

// --master M / --nw-id N (the seed's ingestor defaults).
struct FallbackCli {
  std::string master;
  std::optional<int> nw_id;
  // Throws UserError for a master that is not tcs, ics or clip.
  void apply(ingest::IngestOptions& io) const;
};
void add_fallback_options(CLI::App* cmd, FallbackCli& f);
// --headers / --names-only.
void add_header_flags(CLI::App* cmd, bool& headers);

// Runs incremental association generation after an ingest, when requested (database state; a
// full regeneration when the state does not match); the generation's JSON summary.
nlohmann::json run_associations(storage::Registry& registry);
// "associations: …" after an ingest's summary.
void print_assoc_line(const nlohmann::json& assoc);

void register_file(CLI::App& ingest);       // cmd_ingest_files.cpp
void register_directory(CLI::App& ingest);
void register_scan(CLI::App& ingest);
void register_toltec_db(CLI::App& ingest);  // cmd_ingest_site.cpp
void register_tel_csv(CLI::App& ingest);

}  // namespace tolteca::cli
