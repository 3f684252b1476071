// The JSON forms of the ingest and scan reports (ingest.h): what --json prints and what the "ingest"
// event stores.
#include <nlohmann/json.hpp>

#include "ingest/ingest.h"

namespace tolteca::ingest {

namespace {
// A file entry of a report: its own fields, and its data kind in the three forms (bits, names, list).
nlohmann::json file_entry(nlohmann::json fields, DataKindBits kind) {
  fields["data_kind"] = kind;
  fields["data_kind_names"] = data_kind_names(kind);
  fields["kinds"] = data_kind_list(kind);
  return fields;
}
}  // namespace

nlohmann::json to_json(const IngestSummary& s) {
  nlohmann::json j{{"location", s.location},
                   {"data_root", s.data_root},
                   {"root", s.root},
                   {"location_created", s.location_created},
                   {"root_extended_from", s.root_extended_from.empty() ? nlohmann::json(nullptr)
                                                                       : nlohmann::json(s.root_extended_from)},
                   {"paths_rewritten", s.paths_rewritten},
                   {"dry_run", s.dry_run},
                   {"headers", s.read_headers},
                   {"jobs", s.jobs},
                   {"scanned", s.scanned},
                   {"new", s.new_files},
                   {"updated", s.updated},
                   {"unchanged", s.unchanged},
                   {"skipped", s.skipped},
                   {"failed", s.failed},
                   {"flagged", s.flagged},
                   {"missing", s.missing},
                   {"prune_refused", s.prune_refused.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.prune_refused)},
                   {"skipped_reasons", s.skipped_reasons},
                   {"failed_reasons", s.failed_reasons},
                   {"raw_obs_created", s.raw_obs_created},
                   {"raw_obs_updated", s.raw_obs_updated},
                   {"nights", s.nights},
                   {"batches", s.batches},
                   {"elapsed_s", s.elapsed_s},
                   {"files_per_s", s.files_per_s}};
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& p : s.problems) problems.push_back({{"path", p.path}, {"status", p.status}, {"reason", p.reason}});
  j["problems"] = std::move(problems);
  nlohmann::json ranges = nlohmann::json::array();
  for (const auto& r : s.obsnum_ranges)
    ranges.push_back({{"master", r.master}, {"first_obsnum", r.first}, {"last_obsnum", r.last}, {"files", r.files}});
  j["obsnum_ranges"] = std::move(ranges);
  if (s.problems_not_listed > 0) j["problems_not_listed"] = s.problems_not_listed;
  if (s.from_site_db) {
    j["site_rows"] = s.site_rows;
    j["missing_locally"] = s.missing_locally;
  }
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : s.files)
    files.push_back(file_entry(
        {{"path", f.path}, {"status", f.status}, {"uid", f.uid}, {"interface", f.interface}, {"note", f.note}},
        f.data_kind));
  j["files"] = files;
  return j;
}

nlohmann::json to_json(const ScanReport& r) {
  nlohmann::json j{{"root", r.root},
                   {"scanned", r.scanned},
                   {"recognised", r.recognised},
                   {"skipped", r.skipped},
                   {"failed", r.failed},
                   {"flagged", r.flagged},
                   {"raw_obs", r.raw_obs},
                   {"per_interface", r.per_interface},
                   {"per_kind", r.per_kind},
                   {"per_master", r.per_master},
                   {"skipped_reasons", r.skipped_reasons},
                   {"failed_reasons", r.failed_reasons},
                   {"elapsed_s", r.elapsed_s}};
  nlohmann::json rej = nlohmann::json::array();
  for (const auto& x : r.rejections) rej.push_back({{"path", x.path}, {"reason", x.reason}, {"detail", x.detail}});
  j["rejections"] = rej;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : r.files)
    files.push_back(file_entry(
        {{"path", f.path}, {"uid", f.uid}, {"interface", f.interface}, {"is_raw", f.is_raw}, {"problem", f.problem}},
        f.data_kind));
  j["files"] = files;
  return j;
}

}  // namespace tolteca::ingest
