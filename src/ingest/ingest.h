#pragma once
// Ingestion of files and directory trees into the registry.
//
// Pipeline: one walker thread (readdir + stat, compares each file with the
// snapshot of what the database holds: unchanged files stop here), a pool of
// worker threads (parse names, read headers; netCDF calls are serialised by
// files::netcdf_mutex()), and one writer (the calling thread) that batches
// records into transactions through storage::IngestWriter. Workers never touch the
// database. Every committed batch is self-consistent, so a killed run leaves a
// database the next run simply continues.
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "storage/registry.h"
#include "model/data_kind.h"
#include "model/master.h"

namespace tolteca::ingest {

// Upper bound of --jobs (worker threads; each may also run one netCDF-4 header helper process).
inline constexpr int kMaxJobs = 256;

// jobs, checked: BadJobs (errors.h) when < 0 or > kMaxJobs; 0 -> one per core.
int checked_jobs(int jobs);

struct Progress {
  std::int64_t found = 0;  // files in scope the walk has seen so far
  std::int64_t done = 0;   // files decided (new/updated/unchanged/skipped/failed)
  bool walk_done = false;  // found is final
  double elapsed_s = 0;
  std::int64_t new_files = 0, updated = 0, unchanged = 0, skipped = 0, failed = 0;
};
// Called on the calling thread, at least every progress_interval_s while the run lasts. It may throw
// to stop the run (the cancellation hook: the CLI's Ctrl-C of a forwarded ingest, cli/progress.cpp;
// the Python package's Ctrl-C, src/python/interrupt.h): the workers stop, the batch in flight is not
// written, every batch committed before stays (each is self-consistent), and the exception
// propagates to the caller of ingest_directory / ingest_files / ingest_toltec_db.
using ProgressFn = std::function<void(const Progress&)>;

struct IngestOptions {
  std::string location;   // label; empty: the only location, or a new "local" one
  std::string data_root;  // data root of the location (required to differ from ROOT only when creating it)
  std::optional<Master> fallback_master;  // --master: for files whose directory and header name none
  std::optional<int> fallback_network;    // --nw-id: seed compatibility (TolTEC names always carry it)
  bool skip_existing = false;             // files the database knows are not looked at again
  std::string pattern;    // glob on file names (or on paths relative to ROOT when it has '/'); empty = all
  bool recursive = true;
  bool read_headers = true;
  int jobs = 0;  // worker threads; 0 = all cores; more than kMaxJobs (or < 0) is BadJobs (errors.h)
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
  storage::IngestOptions storage;  // the registry's ingest options (trace, threads): storage/options.h
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
  std::string root_extended_from;     // the location's root before this run extended it ("" = unchanged)
  std::int64_t paths_rewritten = 0;   // stored paths given the new prefix by that extension
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
  // What the files recorded by this run (new or updated, raw or reduced) belong to: per master the
  // obsnum range (masters in tcs, ics, clip order), and the UT nights (YYYY-MM-DD) of their start
  // times (file time when the start is unknown), ascending.
  struct ObsnumRange {
    std::string master;
    std::int64_t first = 0, last = 0;
    std::int64_t files = 0;
  };
  std::vector<ObsnumRange> obsnum_ranges;
  std::vector<std::string> nights;
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
  std::string root;  // absolute (ingest/data_root.h absolute_root(): symlinks not resolved)
  bool created = false;
  // The root was extended to take in `must_contain` (or would be, in a dry run): the old root, and
  // how many stored paths were rewritten (0 in a dry run).
  std::string extended_from;
  std::int64_t paths_rewritten = 0;
};

// label given: that location; no label: the only location, or a new one named
// "local". A missing location is created (create=true; dry run: id -1) with
// data_root, else with the data root detected from must_contain
// (detect_data_root: the nearest ancestor holding tel/ or toltec/{ics,tcs,clip}/).
// An existing location whose root does not contain must_contain is extended to
// the common ancestor of both (every stored rel_path gains the prefix, in one
// transaction, before the caller writes anything); refused (RootCannotGrow, nothing
// written) when that ancestor is "/" or symlinks make the two views disagree.
// A data_root that differs from an existing location's root is an error (RootMismatch); with
// a data_root given, must_contain outside it is an error too (OutsideGivenRoot, no extension).
// No label and several locations: SeveralLocations; a missing location without a root to create it
// with: LocationNeedsRoot (errors.h).
ResolvedLocation resolve_location(storage::Registry& s, const std::string& label, const std::string& data_root,
                                  const std::string& must_contain, bool create);

// `db location move LABEL NEWROOT`: NEWROOT an ancestor of the root -> every rel_path gains the prefix;
// inside the root -> every rel_path loses it (refused when a file lies outside NEWROOT); otherwise (or
// keep_paths) the archive moved: rel_paths stay. One transaction. Throws UnknownLocation (errors.h) for an unknown label.
struct LocationMove {
  std::string label, old_root, new_root;
  std::string mode;  // "unchanged", "ancestor", "descendant", "moved"
  std::int64_t files = 0, rewritten = 0;
};
LocationMove move_location(storage::Registry& s, const std::string& label, const std::string& new_root, bool keep_paths);

// Canonical absolute form of a path (symlinks resolved as far as it exists).
std::string canonical_path(const std::string& path);
// Path relative to root ('/'-separated), or nullopt when path is not under root.
std::optional<std::string> relative_to(const std::string& path, const std::string& root);

// Throws UserError unless `root` is a readable directory (ingest_directory checks it too; the CLI asks
// first, so that a bad path creates no database).
void check_directory(const std::string& root);
IngestSummary ingest_directory(storage::Registry& s, const std::string& root, const IngestOptions& opts);
// Paths are resolved (symlinks, "..", "//": one file is one source however spelled); a path outside the
// location's data root is a `failed` file that is not recorded; UserError when every path is outside.
IngestSummary ingest_files(storage::Registry& s, const std::vector<std::string>& paths, const IngestOptions& opts);

// Marks these files (absolute paths under the location's data root) missing: the ones it records as
// available; others are ignored. One transaction, with one "missing" event. Returns how many were
// marked. For a watcher that saw files deleted (ingest_directory --prune finds them by a walk).
std::int64_t mark_files_missing(storage::Registry& s, const std::string& location, const std::vector<std::string>& paths,
                                const storage::IngestOptions& storage_options = {});

// ---- the site file database ---------------------------------------------------

struct SiteDbOptions {
  std::string location;
  std::string data_root;  // where the site's /data_lmt/… paths are found locally
  std::string since, until;      // dates or date-times (inclusive; model/time_arg.h forms); not a time: BadTimeBound
  std::vector<int> obs_types;    // empty: all
  bool valid_only = true;
  std::int64_t min_id = 0;  // only rows with id >= min_id (0: all; the site watcher's watermark)
  bool dry_run = false;
  std::size_t batch_size = 100000;
  ProgressFn progress;
  std::optional<Master> fallback_master;  // for rows whose Master code is missing or unknown
  std::optional<std::int64_t> limit;      // only the first N matching rows (id order)
  bool skip_existing = false;             // files already recorded are not looked at again
  bool reingest_existing = false;         // files already recorded are recorded again even when unchanged
  storage::IngestOptions storage;         // the registry's ingest options (trace, threads): storage/options.h
};

// ObsType names (nominal, timestream, vna, targ, tune, data-kind names, or
// numbers), comma-separated -> codes. Throws UserError naming a bad entry.
std::vector<int> parse_obs_types(const std::string& text);
// The path under the data root of a site FileName ("/data_lmt/toltec/ics/toltec8/x.nc" -> "toltec/ics/toltec8/x.nc"),
// lexically normalised; "" when it names none or leaves the data root (ingest/site_rows.h says why).
std::string site_relative_path(const std::string& file_name);

// Records every row's file as a source (facts from the database row, not the
// header; files missing locally are recorded as missing) and its raw observation.
// Rows are checked first (ingest/site_rows.h): a FileName outside the data root or an identity out of
// range is a `failed` row that records nothing; other bad values flag the file.
IngestSummary ingest_toltec_db(storage::Registry& s, const std::string& source, const SiteDbOptions& opts);

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
