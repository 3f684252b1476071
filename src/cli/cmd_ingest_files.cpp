// `tolteca_db ingest file | directory | scan`: files on disk.
#include <fmt/format.h>

#include <filesystem>
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "assoc/engine.h"
#include "cli/assoc_open.h"
#include "cli/assoc_report.h"
#include "cli/common.h"
#include "cli/ingest_common.h"
#include "cli/progress.h"
#include "storage/registry.h"
#include "storage/site_db.h"
#include "files/filename.h"
#include "ingest/ingest.h"
#include "ingest/tel_csv.h"
#include "model/error.h"
#include "model/time_arg.h"

namespace tolteca::cli {

namespace {

// `ingest scan --details`: at most this many files (as the seed showed them).
constexpr std::size_t kDetailRows = 50;

void print_parsed_fields(const std::vector<std::string>& paths) {
  Table t{{"file", "interface", "roach", "master", "obsnum", "subobsnum", "scannum", "kind", "time"},
          {},
          {false, false, true, false, true, true, true, false, false}};
  for (const auto& p : paths) {
    std::string name = std::filesystem::path(p).filename().string();
    auto parse = files::parse_filename(std::filesystem::absolute(p).lexically_normal().string());
    if (const auto* n = files::as_parsed(parse)) {
      t.rows.push_back({name, n->interface, n->roach ? std::to_string(*n->roach) : "",
                        n->master ? std::string(to_string(*n->master)) : "(unknown)", std::to_string(n->obsnum),
                        std::to_string(n->subobsnum), std::to_string(n->scannum), data_kind_names(n->data_kind),
                        n->file_time ? format_iso8601(*n->file_time) : ""});
    } else {
      t.rows.push_back({name, "PARSE ERROR", "", "", "", "", "", files::as_rejection(parse)->detail, ""});
    }
  }
  print_table(cli::out(), t, OutputFormat::table);
  cli::out() << '\n';
}


void print_scan_details(const ingest::ScanReport& r) {
  struct Row {
    std::string path, obsnum, interface, kind;
  };
  std::vector<Row> rows;
  for (const auto& f : r.files) {
    auto parse = files::parse_filename(f.path);
    const auto* n = files::as_parsed(parse);
    rows.push_back({f.path, n ? std::to_string(n->obsnum) : "", f.interface, data_kind_names(f.data_kind)});
  }
  for (const auto& x : r.rejections) rows.push_back({x.path, "PARSE ERROR", "", x.reason});
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.path < b.path; });
  const std::int64_t total = r.recognised + r.skipped + r.failed;
  Table t{{"name", "obsnum", "interface", "kind"}, {}, {false, true, false, false}};
  for (std::size_t i = 0; i < rows.size() && i < kDetailRows; ++i)
    t.rows.push_back({std::filesystem::path(rows[i].path).filename().string(), rows[i].obsnum, rows[i].interface,
                      rows[i].kind});
  cli::out() << '\n';
  print_table(cli::out(), t, OutputFormat::table);
  if (total > static_cast<std::int64_t>(t.rows.size()))
    cli::out() << fmt::format("(showing the first {} of {} files)\n", t.rows.size(), total);
}

}  // namespace

void register_file(CLI::App& ingest) {
  struct Opts {
    DbOptions db;
    std::vector<std::string> paths;
    std::string location, data_root;
    FallbackCli fallback;
    bool headers = true, dry_run = false, json = false, quiet = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = ingest.add_subcommand("file", "Ingest one or more files; prints what was recorded per file");
  cmd->add_option("FILE_PATH", o->paths, "Files to ingest")->required();
  add_db_options(cmd, o->db);
  add_location_options(cmd, o->location, o->data_root);
  add_fallback_options(cmd, o->fallback);
  add_header_flags(cmd, o->headers);
  cmd->add_flag("--dry-run", o->dry_run, "Print the parsed fields of each file and what would be recorded; write nothing");
  add_quiet_flag(cmd, o->quiet);
  add_json_flag(cmd, o->json);
  set_examples(cmd,
               "  tolteca_db ingest file /data_lmt/toltec/ics/toltec1/toltec1_018340_000_0000_2024_11_13_21_33_27_vnasweep.nc\n"
               "  tolteca_db ingest file data_lmt/tel/*.nc --location LMT --data-root data_lmt --json\n");
  cmd->callback([o] {
    auto s = open_registry_for_ingest(o->db, o->dry_run);
    ingest::IngestOptions io;
    io.storage = ingest_storage_options_from_env();
    io.location = o->location;
    io.data_root = o->data_root;
    io.read_headers = o->headers;
    io.dry_run = o->dry_run;
    io.jobs = 1;
    o->fallback.apply(io);
    if (o->dry_run && !o->json && !o->quiet) print_parsed_fields(o->paths);
    auto sum = ingest::ingest_files(*s, o->paths, io);
    if (o->json) {
      print_json(cli::out(), ingest::to_json(sum));
      return;
    }
    if (o->quiet) return;
    Table t{{"path", "status", "uid", "interface", "kind", "note"}, {}, {}};
    t.whole = {true, false, true, false, false, false};
    t.wrap_last = true;
    for (const auto& f : sum.files)
      t.rows.push_back({f.path, f.status, f.uid, f.interface, data_kind_names(f.data_kind), f.note});
    print_table(cli::out(), t, OutputFormat::table);
    cli::out() << fmt::format("{} file(s): {} new, {} updated, {} unchanged, {} skipped, {} failed{}\n", sum.scanned,
                             sum.new_files, sum.updated, sum.unchanged, sum.skipped, sum.failed,
                             sum.dry_run ? " (dry run: nothing written)" : "");
  });
}

namespace {

struct DirectoryCli {
  DbOptions db;
  std::string root, pattern, location, data_root;
  FallbackCli fallback;
  bool recursive = true, headers = true, with_assoc = false, prune = false, dry_run = false, quiet = false,
       json = false, skip_existing = false, force = false;
  int jobs = 0;
  double prune_max_percent = 50;
  std::size_t batch_size = 100000;
};

void run_directory(const DirectoryCli& opts) {
  const DirectoryCli* o = &opts;
  if (o->with_assoc && o->dry_run) throw UserError("--with-associations and --dry-run do not go together");
  if (o->batch_size == 0) throw UserError("--batch-size must be at least 1");
  ingest::checked_jobs(o->jobs);
  ingest::check_directory(o->root);
  auto s = open_registry_for_ingest(o->db, o->dry_run);
  ProgressDisplay progress("ingest", o->quiet);
  ingest::IngestOptions io;
  io.storage = ingest_storage_options_from_env();
  io.location = o->location;
  io.data_root = o->data_root;
  io.pattern = o->pattern;
  io.recursive = o->recursive;
  io.read_headers = o->headers;
  io.jobs = o->jobs;
  io.prune = o->prune;
  io.prune_max_percent = o->prune_max_percent;
  io.force = o->force;
  io.dry_run = o->dry_run;
  io.batch_size = o->batch_size;
  io.skip_existing = o->skip_existing;
  o->fallback.apply(io);
  io.progress = progress.callback();
  auto sum = ingest::ingest_directory(*s, o->root, io);
  progress.finish();
  nlohmann::json assoc;
  if (o->with_assoc) assoc = run_associations(*s);
  if (o->json) {
    auto j = ingest::to_json(sum);
    j.erase("files");
    if (o->with_assoc) j["associations"] = assoc;
    print_json(cli::out(), j);
  } else if (!o->quiet) {
    print_summary(sum, "directory");
    if (o->with_assoc) print_assoc_line(assoc);
  }
  if (!sum.prune_refused.empty()) throw UserError(sum.prune_refused);
}

}  // namespace

void register_directory(CLI::App& ingest) {
  auto o = std::make_shared<DirectoryCli>();
  auto* cmd = ingest.add_subcommand(
      "directory", "Walk a tree and ingest every TolTEC file (parallel, batched, idempotent, resumable)");
  cmd->add_option("ROOT_PATH", o->root,
                  "Directory to walk (inside the location's data root, or beside it: the root then grows to their "
                  "common parent)")
      ->required();
  cmd->add_option("--pattern,-p", o->pattern, "Glob on file names, e.g. '*.nc' (on relative paths when it has '/')");
  cmd->add_flag("--recursive,-r,!--no-recursive", o->recursive, "Descend into subdirectories (default) or not");
  cmd->add_flag("--skip-existing", o->skip_existing,
                "Do not look again at files the database knows (default: re-read those whose size or time changed)");
  add_fallback_options(cmd, o->fallback);
  add_header_flags(cmd, o->headers);
  cmd->add_option("--jobs,-j", o->jobs, fmt::format("Worker threads (default: all cores; at most {})", ingest::kMaxJobs));
  cmd->add_flag("--with-associations", o->with_assoc, "Run incremental association generation afterwards");
  cmd->add_flag("--prune", o->prune,
                "Mark files the database knows under ROOT but that are gone as missing (refused when ROOT is empty "
                "or unreadable, or when more than --prune-max-percent would go, unless --force)");
  cmd->add_option("--prune-max-percent", o->prune_max_percent,
                  "Largest share (percent) of the location's files under ROOT that --prune may mark missing")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  cmd->add_flag("--force", o->force, "Prune even when a --prune guard refuses");
  cmd->add_flag("--dry-run", o->dry_run, "Report what would change; write nothing");
  add_location_options(cmd, o->location, o->data_root);
  cmd->add_option("--batch-size,--commit-interval", o->batch_size,
                  "Files per transaction (--commit-interval is the seed's name)")
      ->capture_default_str();
  add_quiet_flag(cmd, o->quiet);
  add_db_options(cmd, o->db);
  add_json_flag(cmd, o->json);
  set_examples(cmd,
               "  tolteca_db ingest directory /data_lmt --location LMT\n"
               "  tolteca_db ingest directory /data_lmt/toltec/tcs -l LMT -p '*.nc' --skip-existing --commit-interval 500\n"
               "  tolteca_db ingest directory /data_lmt/toltec/ics --pattern '*.nc' --jobs 2\n"
               "  tolteca_db ingest directory data_lmt --names-only --prune --json\n"
               "  tolteca_db ingest directory data_lmt --with-associations --wait 30\n");
  cmd->callback([o] { run_directory(*o); });
}


void register_scan(CLI::App& ingest) {
  struct Opts {
    std::string root, pattern;
    bool recursive = true, headers = false, details = false, json = false, quiet = false;
    std::size_t max_rejections = 20;
    int jobs = 0;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = ingest.add_subcommand(
      "scan", "Dry run without a database: what would be ingested, counts per interface/kind/master, rejections");
  cmd->add_option("ROOT_PATH", o->root, "Directory to walk")->required();
  cmd->add_option("--pattern,-p", o->pattern, "Glob on file names, e.g. '*.nc'");
  cmd->add_flag("--recursive,-r,!--no-recursive", o->recursive, "Descend into subdirectories (default) or not");
  cmd->add_flag("--headers,!--names-only", o->headers, "Also read netCDF headers (default: names only)");
  cmd->add_flag("--details", o->details,
                "A table of the first 50 files: name, obsnum, interface, kind, or PARSE ERROR (--json: every "
                "recognised file)");
  cmd->add_option("--rejections,-n", o->max_rejections, "Show the first N rejections")->capture_default_str();
  cmd->add_option("--jobs,-j", o->jobs, fmt::format("Worker threads (default: all cores; at most {})", ingest::kMaxJobs));
  add_quiet_flag(cmd, o->quiet);
  add_json_flag(cmd, o->json);
  set_examples(cmd,
               "  tolteca_db ingest scan /data_lmt\n"
               "  tolteca_db ingest scan /data_lmt/toltec/ics --details --rejections 50\n"
               "  tolteca_db ingest scan data_lmt --headers --json\n");
  cmd->callback([o] {
    ProgressDisplay progress("scan", o->quiet || o->json);
    ingest::ScanOptions so;
    so.pattern = o->pattern;
    so.recursive = o->recursive;
    so.read_headers = o->headers;
    so.details = o->details;
    so.max_rejections = o->details ? std::max<std::size_t>(o->max_rejections, kDetailRows) : o->max_rejections;
    so.jobs = o->jobs;
    so.progress = progress.callback();
    auto r = ingest::scan_directory(o->root, so);
    progress.finish();
    if (o->json) {
      auto j = ingest::to_json(r);
      if (!o->details) j.erase("files");
      print_json(cli::out(), j);
      return;
    }
    if (o->quiet) return;
    print_key_values(cli::out(), {{"root", r.root},
                                 {"scanned", std::to_string(r.scanned)},
                                 {"recognised", std::to_string(r.recognised)},
                                 {"raw observations", std::to_string(r.raw_obs)},
                                 {"skipped", with_reasons(r.skipped, r.skipped_reasons)},
                                 {"failed", with_reasons(r.failed, r.failed_reasons)},
                                 {"flagged", std::to_string(r.flagged)},
                                 {"elapsed", fmt::format("{:.2f} s", r.elapsed_s)}});
    auto counts = [](const char* title, const std::map<std::string, std::int64_t>& m) {
      if (m.empty()) return;
      Table t{{title, "files"}, {}, {false, true}};
      for (const auto& [k, v] : m) t.rows.push_back({k, std::to_string(v)});
      cli::out() << '\n';
      print_table(cli::out(), t, OutputFormat::table);
    };
    counts("master", r.per_master);
    counts("interface", r.per_interface);
    counts("kind", r.per_kind);
    if (!r.rejections.empty() && o->max_rejections > 0) {
      const std::size_t n = std::min(r.rejections.size(), o->max_rejections);
      cli::out() << fmt::format("\nfirst {} rejection(s):\n", n);
      Table t{{"path", "reason", "detail"}, {}, {}};
      t.whole = {true, false, false};
      t.wrap_last = true;
      for (std::size_t i = 0; i < n; ++i)
        t.rows.push_back({r.rejections[i].path, r.rejections[i].reason, r.rejections[i].detail});
      print_table(cli::out(), t, OutputFormat::table);
    }
    if (o->details) print_scan_details(r);
  });
}

}  // namespace tolteca::cli
