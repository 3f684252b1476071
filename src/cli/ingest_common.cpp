#include "cli/ingest_common.h"

#include <fmt/format.h>

#include <filesystem>
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "assoc/engine.h"
#include "cli/assoc_open.h"
#include "cli/assoc_report.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "storage/registry.h"
#include "storage/site_db.h"
#include "files/filename.h"
#include "ingest/ingest.h"
#include "ingest/tel_csv.h"
#include "model/error.h"
#include "model/time_arg.h"

namespace tolteca::cli {

std::string reasons_text(const std::map<std::string, std::int64_t>& reasons) {
  std::string out;
  for (const auto& [r, n] : reasons) out += fmt::format("{}{}: {}", out.empty() ? "" : ", ", r, n);
  return out;
}

std::string with_reasons(std::int64_t n, const std::map<std::string, std::int64_t>& reasons) {
  if (reasons.empty()) return std::to_string(n);
  return fmt::format("{} ({})", n, reasons_text(reasons));
}

void print_summary(const ingest::IngestSummary& s, const char* what) {
  std::vector<std::pair<std::string, std::string>> kv;
  kv.emplace_back(what, s.root.empty() ? "(files)" : s.root);
  kv.emplace_back("location", fmt::format("{} ({}){}", s.location, s.data_root, s.location_created ? " [created]" : ""));
  if (!s.root_extended_from.empty())
    kv.emplace_back("root extended", fmt::format("{} -> {} ({} stored path(s) rewritten{})", s.root_extended_from,
                                                 s.data_root, s.paths_rewritten, s.dry_run ? "; dry run" : ""));
  if (s.dry_run) kv.emplace_back("dry run", "nothing was written");
  if (s.site_rows > 0 || s.missing_locally > 0) {
    kv.emplace_back("site rows", std::to_string(s.site_rows));
    kv.emplace_back("missing locally", std::to_string(s.missing_locally));
  }
  kv.emplace_back("scanned", std::to_string(s.scanned));
  kv.emplace_back("new", std::to_string(s.new_files));
  kv.emplace_back("updated", std::to_string(s.updated));
  kv.emplace_back("unchanged", std::to_string(s.unchanged));
  kv.emplace_back("skipped", with_reasons(s.skipped, s.skipped_reasons));
  kv.emplace_back("failed", with_reasons(s.failed, s.failed_reasons));
  if (s.flagged) kv.emplace_back("flagged", fmt::format("{} (recorded with a problem)", s.flagged));
  if (s.missing) kv.emplace_back("missing", fmt::format("{} (marked missing by --prune)", s.missing));
  kv.emplace_back("raw observations", fmt::format("{} created, {} updated", s.raw_obs_created, s.raw_obs_updated));
  if (!s.obsnum_ranges.empty()) {
    std::vector<std::string> parts;
    for (const auto& r : s.obsnum_ranges)
      parts.push_back(r.first == r.last ? fmt::format("{} {} ({} files)", r.master, r.first, r.files)
                                        : fmt::format("{} {}-{} ({} files)", r.master, r.first, r.last, r.files));
    kv.emplace_back(s.dry_run ? "would record" : "recorded", fmt::format("{}", fmt::join(parts, ", ")));
    kv.emplace_back("nights", s.nights.empty() ? std::string("-") : fmt::format("{}", fmt::join(s.nights, ", ")));
  }
  kv.emplace_back("elapsed", fmt::format("{:.2f} s ({} files/s, {} job{}, {})", s.elapsed_s,
                                         format_count(static_cast<std::int64_t>(s.files_per_s)), s.jobs,
                                         s.jobs == 1 ? "" : "s", s.read_headers ? "headers" : "names only"));
  print_key_values(cli::out(), kv);
  // Per-file reasons of the problem files (all of them are in --json and in the event log).
  constexpr std::size_t kShown = 20;
  for (std::size_t i = 0; i < s.problems.size() && i < kShown; ++i)
    cli::out() << fmt::format("  {:<8} {}: {}\n", s.problems[i].status, s.problems[i].path, s.problems[i].reason);
  std::int64_t more = s.problems_not_listed + static_cast<std::int64_t>(s.problems.size() > kShown ? s.problems.size() - kShown : 0);
  if (more > 0) cli::out() << fmt::format("  … and {} more (see --json, or 'query export --what events')\n", more);
}

void add_location_options(CLI::App* cmd, std::string& location, std::string& data_root) {
  cmd->add_option("--location,-l", location,
                  "Location label (default: the only location; a new one is named 'local'). A new location's root "
                  "is found from the layout (the nearest directory holding tel/ or toltec/{ics,tcs,clip}/), a "
                  "directory outside an existing root extends it (see 'db location')");
  cmd->add_option("--data-root", data_root,
                  "Data root of the location (creates it on first use; paths are stored relative to it)");
}

// --master M / --nw-id N (the seed's ingestor defaults).
void FallbackCli::apply(ingest::IngestOptions& io) const {
  if (!master.empty()) {
    io.fallback_master = parse_master(master);
    if (!io.fallback_master) throw UserError(fmt::format("--master '{}': expected tcs, ics or clip", master));
  }
  io.fallback_network = nw_id;
}

void add_fallback_options(CLI::App* cmd, FallbackCli& f) {
  cmd->add_option("--master", f.master,
                  "Master (tcs, ics or clip) of files whose directory (toltec/{ics,tcs,clip}/) and header name none; "
                  "without it such files are skipped as 'master unknown'");
  cmd->add_option("--nw-id", f.nw_id,
                  "Network of files whose name carries none (seed compatibility: TolTEC names always carry it, "
                  "toltecN_…, so this changes nothing for them)")
      ->check(CLI::Range(0, 12));
}

void add_header_flags(CLI::App* cmd, bool& headers) {
  cmd->add_flag("--headers,!--names-only", headers,
                "Read netCDF headers (default) or trust the file names only (--names-only)");
}

// Runs incremental association generation after ingest, when requested
// (database state; a full regeneration when the state does not match).
nlohmann::json run_associations(storage::Registry& registry) {
  nlohmann::json j;
  phrase_assoc_errors([&] { j = generate_summary_json(assoc::generate(registry.assoc(), assoc::GenerateOptions{})); });
  return j;
}

// `ingest file --dry-run`: the fields the name gives, per file (the seed printed these).

void print_assoc_line(const nlohmann::json& assoc) {
  cli::out() << fmt::format("associations ({}): {} groups created, {} updated, {} deleted; {} edges added, {} removed\n",
                           assoc["mode"].get<std::string>(), assoc["groups_created"].get<std::int64_t>(),
                           assoc["groups_updated"].get<std::int64_t>(), assoc["groups_deleted"].get<std::int64_t>(),
                           assoc["edges_added"].get<std::int64_t>(), assoc["edges_removed"].get<std::int64_t>());
}


}  // namespace tolteca::cli
