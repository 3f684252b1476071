#pragma once
// Site file database rows -> what ingestion records: the path under the data root that a row's
// FileName names (lexically normalised, never outside the data root) and the record built from the
// row's facts, every number range-checked against the domain (model/bounds.h).
#include <optional>
#include <string>
#include <string_view>

#include "storage/site_db.h"
#include "ingest/classify.h"
#include "model/rel_path.h"  // normalize_relative

namespace tolteca::ingest {

// The path under the data root a site FileName names, or why it names none.
struct MappedPath {
  std::string rel;     // normalised; empty when rejected
  std::string reason;  // rejected: "unmappable FileName" (skipped) or "path outside the data root" (failed)
  std::string detail;  // rejected: the row, the FileName and what is wrong with it
  bool escapes = false;  // the FileName climbs out of the data root (reason "path outside the data root")
};
// Anchored at "data_lmt/" (or else "/toltec/"): "/data_lmt/toltec/ics/../ics//toltec8/x.nc" ->
// "toltec/ics/toltec8/x.nc"; "/data_lmt/../../etc/shadow" escapes. Control characters are refused.
MappedPath map_site_file_name(std::int64_t row_id, std::string_view file_name);

// The record a site database row describes (facts from the row, no header). Identity fields (Master,
// ObsNum, SubObsNum, ScanNum) that are missing give `skipped`; out of range or not integers give
// `failed` with no record (uid empty), so no uid like "ics--5-0-0" is ever made. Other fields out of
// range (RoachIndex, ObsType, the TargSweep pointer, an implausible Date/Time) are stored as NULL and
// flag the file (record.problem names the row, the field and the value). The layout check
// (files::layout_problem) flags a file in another interface's directory. fallback_master: the master
// of a row whose Master is NULL or 3 (the seed's `--master`); nullopt: such a row is skipped.
Classified classify_site_row(const storage::SiteDbRow& row, const std::string& rel, const FileStat& st, bool available,
                             std::optional<Master> fallback_master = std::nullopt);

}  // namespace tolteca::ingest
