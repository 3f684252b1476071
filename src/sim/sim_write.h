#pragma once
// Internal to sim/: what the batch writer (write_archive, sim_write.cpp) and the live writer
// (write_archive_live, live_writer.cpp) share: the checks on the output before anything is written,
// one planned file written to a path, and the site-database row of a network file.
#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include "files/output_file.h"
#include "sim/simulator.h"
#include "sim/sitedb_writer.h"

namespace tolteca::sim::detail {

// The output of one run: checks, before anything is written, that out_dir may be written (a
// non-empty one only with force) and that the catalogue and site database targets may be (the
// same file for both is always refused); creates out_dir. Throws UserError.
class OutputTargets {
 public:
  OutputTargets(const SimPlan& plan, const std::string& out_dir, bool force);
  // Creates the directory of `file` (once per directory).
  void make_parent(const std::filesystem::path& file);
  // Writes the LMT catalogue (if asked for) under its temporary name and renames it into place.
  void commit_catalog();
  // The site database's output file (nullptr: not asked for).
  files::OutputFile* site_db() { return site_db_ ? &*site_db_ : nullptr; }

 private:
  const SimPlan& plan_;
  std::optional<files::OutputFile> catalog_, site_db_;
  std::set<std::string> made_;
};

// Writes one planned file at `path` (its directory exists): netCDF, model table, empty file or the
// current-file link of the bad cases; a truncated bad file is cut to half. Throws UserError naming
// the path.
void write_planned_file(const SimFile& f, const std::string& path, bool names_only);

// The site database's row of a network file (nullopt for every other file); Valid as it ends.
std::optional<SiteDbFile> site_db_row(const SimFile& f);

// Whether the site database marks the file valid once it is written (not for a truncated or a
// zero-byte file).
bool ends_valid(const SimFile& f);

}  // namespace tolteca::sim::detail
