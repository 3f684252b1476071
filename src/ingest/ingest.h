#pragma once
// Ingestion of files and directory trees into the registry.
//
// Pipeline: one walker thread (readdir + stat, compares each file with the
// snapshot of what the database holds: unchanged files stop here), a pool of
// worker threads (parse names, read headers; netCDF calls are serialised by
// files::netcdf_mutex()), and one writer (the calling thread) that batches
// records into transactions through db::IngestRepo. Workers never touch the
// database. Every committed batch is self-consistent, so a killed run leaves a
// database the next run simply continues.
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "db/session.h"
#include "model/data_kind.h"

namespace tolteca::ingest {

// Upper bound of --jobs (worker threads; each may also run one netCDF-4 header helper process).
inline constexpr int kMaxJobs = 256;

// jobs, checked: UserError when < 0 or > kMaxJobs; 0 -> one per core.
int checked_jobs(int jobs);

struct Progress {
  std::int64_t found = 0;  // files in scope the walk has seen so far
  std::int64_t done = 0;   // files decided (new/updated/unchanged/skipped/failed)
  bool walk_done = false;  // found is final
  double elapsed_s = 0;
  std::int64_t new_files = 0, updated = 0, unchanged = 0, skipped = 0, failed = 0;
};
using ProgressFn = std::function<void(const Progress&)>;

struct IngestOptions {
  std::string location;   // label; empty: the only location, or a new "local" one
  std::string data_root;  // data root of the location (required to differ from ROOT only when creating it)
  std::string pattern;    // glob on file names (or on paths relative to ROOT when it has '/'); empty = all
  bool recursive = true;
  bool read_headers = true;
  int jobs = 0;  // worker threads; 0 = all cores; more than kMaxJobs (or < 0) is a UserError
  bool prune = false;
  // --prune guards (ingest/prune_guard.h): refused when ROOT is empty or unreadable, or when more than
  // prune_max_percent of the location's available files under the walked scope would become missing.
  double prune_max_percent = 50;
  bool force = false;  // prune anyway
  bool dry_run = false;
  bool collect_files = false;  // fill IngestSummary::files (ingest file)
  std::size_t batch_size = 100000;
  double batch_seconds = 2.0;  // commit at least this often while files arrive
  ProgressFn progress;
  double progress_interval_s = 0.1;
  // Called by a worker thread just before it reads a file (path relative to the data root); for tests
  // that must change the file system between the walk and the read (e.g. a file that vanishes).
  std::function<void(const std::string& rel)> before_read;
};

struct FileOutcome {
  std::string path;    // relative to the data root
  std::string status;  // new, updated, unchanged, skipped, failed
  std::string uid;
  std::string interface;
  DataKindBits data_kind = 0;
  std::string note;  // problem, or why skipped/failed
};

struct IngestSummary {
  std::string location;
  std::string data_root;
  std::string root;  // what was walked (or "" for files)
  bool location_created = false;
  bool dry_run = false;
  bool read_headers = true;
  int jobs = 1;
  std::int64_t scanned = 0;  // = new + updated + unchanged + skipped + failed
  std::int64_t new_files = 0, updated = 0, unchanged = 0, skipped = 0, failed = 0;
  std::int64_t flagged = 0;  // recorded with a problem (header/name mismatch, …)
  std::int64_t missing = 0;  // marked missing by --prune
  std::string prune_refused;  // why --prune marked nothing (prune_guard.h); the CLI then exits 1
  std::map<std::string, std::int64_t> skipped_reasons, failed_reasons;
  std::int64_t raw_obs_created = 0, raw_obs_updated = 0;
  std::int64_t batches = 0;
  double elapsed_s = 0, files_per_s = 0;
  std::vector<FileOutcome> files;
  // Every file that was skipped, failed or flagged, with its reason (the first kMaxListedProblems; the
  // rest are counted in problems_not_listed). Skipped and failed files also get one event each.
  struct Problem {
    std::string path;    // relative to the data root
    std::string status;  // skipped, failed, flagged
    std::string reason;
  };
  static constexpr std::size_t kMaxListedProblems = 1000;
  std::vector<Problem> problems;
  std::int64_t problems_not_listed = 0;
  // ingest toltec-db only
  bool from_site_db = false;
  std::int64_t site_rows = 0;        // rows read from the site database
  std::int64_t missing_locally = 0;  // rows whose file is not under the data root
};

nlohmann::json to_json(const IngestSummary& s);

struct ResolvedLocation {
  std::int64_t id = -1;  // -1: does not exist (dry run)
  std::string label;
  std::string root;  // canonical absolute path
  bool created = false;
};

// label given: that location (created with data_root, else fallback_root, when
// missing). No label: the only location, or a new one named "local". A
// data_root that differs from an existing location's root is an error.
// create=false (dry run): a missing location is reported with id -1.
ResolvedLocation resolve_location(db::Session& s, const std::string& label, const std::string& data_root,
                                  const std::string& fallback_root, bool create);

// Canonical absolute form of a path (symlinks resolved as far as it exists).
std::string canonical_path(const std::string& path);
// Path relative to root ('/'-separated), or nullopt when path is not under root.
std::optional<std::string> relative_to(const std::string& path, const std::string& root);

IngestSummary ingest_directory(db::Session& s, const std::string& root, const IngestOptions& opts);
IngestSummary ingest_files(db::Session& s, const std::vector<std::string>& paths, const IngestOptions& opts);

// ---- the site file database ---------------------------------------------------

struct SiteDbOptions {
  std::string location;
  std::string data_root;  // where the site's /data_lmt/… paths are found locally
  std::string since, until;      // dates or date-times (inclusive)
  std::vector<int> obs_types;    // empty: all
  bool valid_only = true;
  bool dry_run = false;
  std::size_t batch_size = 100000;
  ProgressFn progress;
};

// ObsType names (nominal, timestream, vna, targ, tune, data-kind names, or
// numbers), comma-separated -> codes. Throws UserError naming a bad entry.
std::vector<int> parse_obs_types(const std::string& text);
// The path under the data root of a site FileName ("/data_lmt/toltec/ics/toltec8/x.nc" -> "toltec/ics/toltec8/x.nc").
std::string site_relative_path(const std::string& file_name);

// Records every row's file as a source (facts from the database row, not the
// header; files missing locally are recorded as missing) and its raw observation.
IngestSummary ingest_toltec_db(db::Session& s, const std::string& source, const SiteDbOptions& opts);

// ---- scan (no database) -----------------------------------------------------

struct ScanOptions {
  std::string pattern;
  bool recursive = true;
  bool read_headers = false;
  bool details = false;          // list every recognised file
  std::size_t max_rejections = 20;
  int jobs = 0;
  ProgressFn progress;
};

struct ScanFile {
  std::string path;  // relative to the scan root
  std::string uid;
  std::string interface;
  DataKindBits data_kind = 0;
  bool is_raw = true;
  std::string problem;
};

struct ScanRejection {
  std::string path;
  std::string reason;
  std::string detail;
};

struct ScanReport {
  std::string root;
  std::int64_t scanned = 0, recognised = 0, skipped = 0, failed = 0, flagged = 0;
  std::int64_t raw_obs = 0;  // distinct raw observations the recognised files make
  std::map<std::string, std::int64_t> per_interface, per_kind, per_master, skipped_reasons, failed_reasons;
  std::vector<ScanRejection> rejections;  // the first max_rejections (skipped or failed)
  std::vector<ScanFile> files;            // with details, sorted by path
  double elapsed_s = 0;
};

ScanReport scan_directory(const std::string& root, const ScanOptions& opts);
nlohmann::json to_json(const ScanReport& r);

}  // namespace tolteca::ingest
