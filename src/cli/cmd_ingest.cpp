// `tolteca_db ingest …`: file, directory, scan, toltec-db, tel-csv.
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

namespace {

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
struct FallbackCli {
  std::string master;
  std::optional<int> nw_id;
  void apply(ingest::IngestOptions& io) const {
    if (!master.empty()) {
      io.fallback_master = parse_master(master);
      if (!io.fallback_master) throw UserError(fmt::format("--master '{}': expected tcs, ics or clip", master));
    }
    io.fallback_network = nw_id;
  }
};

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

void print_assoc_line(const nlohmann::json& assoc) {
  cli::out() << fmt::format("associations ({}): {} groups created, {} updated, {} deleted; {} edges added, {} removed\n",
                           assoc["mode"].get<std::string>(), assoc["groups_created"].get<std::int64_t>(),
                           assoc["groups_updated"].get<std::int64_t>(), assoc["groups_deleted"].get<std::int64_t>(),
                           assoc["edges_added"].get<std::int64_t>(), assoc["edges_removed"].get<std::int64_t>());
}

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

void register_directory(CLI::App& ingest) {
  struct Opts {
    DbOptions db;
    std::string root, pattern, location, data_root;
    FallbackCli fallback;
    bool recursive = true, headers = true, with_assoc = false, prune = false, dry_run = false, quiet = false,
         json = false, skip_existing = false, force = false;
    int jobs = 0;
    double prune_max_percent = 50;
    std::size_t batch_size = 100000;
  };
  auto o = std::make_shared<Opts>();
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
  cmd->callback([o] {
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
  });
}

constexpr std::size_t kDetailRows = 50;

// `ingest scan --details`: the first 50 files by path, recognised or not (as the seed showed them).
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

std::string env_or(const char* name, const std::string& fallback = {}) {
  const auto v = env(name);
  return v && !v->empty() ? *v : fallback;
}

struct SiteDbCli {
  DbOptions db;
  std::string source, source_url, location, data_root, since, until, obstype, master;
  std::optional<std::int64_t> limit;
  bool valid_only = true, dry_run = false, quiet = false, json = false, with_assoc = false;
  CLI::Option* skip = nullptr;
  bool skip_existing = true;
};

void run_toltec_db(const SiteDbCli& o) {
  if (o.with_assoc && o.dry_run) throw UserError("--with-associations and --dry-run do not go together");
  if (!o.source.empty() && !o.source_url.empty() && o.source != o.source_url)
    throw UserError("give the site database once: TOLTEC_DB or --toltec-db-url");
  std::string source = !o.source.empty() ? o.source : !o.source_url.empty() ? o.source_url : env_or("TOLTEC_DB_URL");
  if (source.empty())
    throw UserError("no site database: give TOLTEC_DB (a SQLite file or sqlite:///path), --toltec-db-url, or set "
                    "$TOLTEC_DB_URL");
  storage::site_db_path(source);  // an unsupported source is reported before the database is opened
  auto s = open_registry_for_ingest(o.db, o.dry_run);
  ProgressDisplay progress("toltec-db", o.quiet);
  ingest::SiteDbOptions so;
  so.storage = ingest_storage_options_from_env();
  so.location = o.location;
  so.data_root = o.data_root.empty() ? env_or("TOLTECA_WEB_DATA_LMT_ROOTPATH") : o.data_root;
  so.since = o.since;
  so.until = o.until;
  if (!o.obstype.empty()) so.obs_types = ingest::parse_obs_types(o.obstype);
  if (!o.master.empty()) {
    so.fallback_master = parse_master(o.master);
    if (!so.fallback_master) throw UserError(fmt::format("--master '{}': expected tcs, ics or clip", o.master));
  }
  if (o.limit && *o.limit < 0) throw UserError("--limit must not be negative");
  so.limit = o.limit;
  if (o.skip->count() > 0) {
    so.skip_existing = o.skip_existing;
    so.reingest_existing = !o.skip_existing;
  }
  so.valid_only = o.valid_only;
  so.dry_run = o.dry_run;
  so.progress = progress.callback();
  auto sum = ingest::ingest_toltec_db(*s, source, so);
  progress.finish();
  nlohmann::json assoc;
  if (o.with_assoc) assoc = run_associations(*s);
  if (o.json) {
    auto j = ingest::to_json(sum);
    j.erase("files");
    if (o.with_assoc) j["associations"] = assoc;
    print_json(cli::out(), j);
    return;
  }
  if (o.quiet) return;
  print_summary(sum, "site database");
  if (o.with_assoc) print_assoc_line(assoc);
}

void register_toltec_db(CLI::App& ingest) {
  auto o = std::make_shared<SiteDbCli>();
  auto* cmd = ingest.add_subcommand("toltec-db", "Ingest from the site file database (a SQLite extract)");
  cmd->alias("from-toltec-db");
  cmd->add_option("TOLTEC_DB", o->source,
                  "sqlite:///path/to/toltec.sqlite, or a path (default: --toltec-db-url, else $TOLTEC_DB_URL)");
  cmd->add_option("--toltec-db-url", o->source_url, "The site database as a URL (sqlite:///…; mysql:// not yet)");
  add_location_options(cmd, o->location, o->data_root);
  cmd->add_option("--master", o->master, "Master (tcs, ics or clip) of rows whose Master code is missing or unknown");
  cmd->add_option("--since,--start-date", o->since,
                  std::string("Only rows from this Date (inclusive): ") + time_arg_forms());
  cmd->add_option("--until,--end-date", o->until, "Only rows up to this Date (inclusive)");
  cmd->add_option("--obstype", o->obstype,
                  "Comma-separated, any case: Nominal, Timestream, VNA, TARG, TUNE (or 0..4)");
  cmd->add_option("--limit", o->limit, "Only the first N matching rows (in id order)");
  o->skip = cmd->add_flag("--skip-existing,!--no-skip-existing", o->skip_existing,
                          "--skip-existing: do not look again at files already recorded; --no-skip-existing: record "
                          "them again. Default: look again at those whose size or time changed");
  cmd->add_flag("--valid-only,!--include-invalid", o->valid_only,
                "Only rows with Valid = 1 (default); --include-invalid records the others, flagged");
  cmd->add_flag("--dry-run", o->dry_run, "Report what would change; write nothing");
  cmd->add_flag("--with-associations", o->with_assoc, "Run incremental association generation afterwards");
  add_quiet_flag(cmd, o->quiet);
  add_db_options(cmd, o->db);
  add_json_flag(cmd, o->json);
  set_examples(cmd,
               "  tolteca_db ingest toltec-db sqlite:///toltec_db.sqlite --location LMT\n"
               "  tolteca_db ingest toltec-db toltec_db.sqlite --since 2024-11-13 --until 2024-11-14 --obstype vna,targ\n"
               "  tolteca_db ingest from-toltec-db --toltec-db-url sqlite:///toltec_db.sqlite --start-date 2024-11-13 "
               "--limit 100 --dry-run\n");
  cmd->footer(cmd->get_footer() +
              "\nAlias: from-toltec-db (the seed's name). Environment: TOLTEC_DB_URL (default site database),\n"
              "TOLTECA_WEB_DATA_LMT_ROOTPATH (default --data-root).");
  cmd->callback([o] { run_toltec_db(*o); });
}

void register_tel_csv(CLI::App& ingest) {
  struct Opts {
    DbOptions db;
    std::string csv, location;
    bool include_invalid = false, dry_run = false, json = false, skip_existing = false, create_prods = true;
    std::int64_t batch_size = 0;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = ingest.add_subcommand("tel-csv", "Attach the LMT metadata catalogue (CSV) to tcs raw observations");
  cmd->alias("from-tel-csv");
  cmd->add_option("CSV_PATH", o->csv, "The catalogue CSV file (required: the seed's LMT web-API mode needs a network)");
  cmd->add_option("--location,-l", o->location,
                  "Seed compatibility: the catalogue describes observations, not files, so no location is used; "
                  "a given label must exist");
  cmd->add_flag("--skip-existing", o->skip_existing,
                "Seed compatibility: storing a row again is idempotent (same values, nothing changes), so rows "
                "already stored are in effect skipped; a changed row is updated");
  cmd->add_flag("--create-data-prods,!--no-create-data-prods", o->create_prods,
                "Seed compatibility: observations are created by ingesting their files; rows of obsnums not "
                "ingested yet are kept and attach when the files arrive (reported as 'obsnums without a tcs raw "
                "observation') either way");
  cmd->add_option("--batch-size", o->batch_size,
                  "Seed compatibility: the whole catalogue is applied in one transaction (all or nothing)");
  cmd->add_flag("--include-invalid", o->include_invalid, "Also apply rows with Valid = 0");
  cmd->add_flag("--dry-run", o->dry_run, "Parse and report; write nothing");
  add_db_options(cmd, o->db);
  add_json_flag(cmd, o->json);
  set_examples(cmd,
               "  tolteca_db ingest tel-csv lmt_metadata.csv\n  tolteca_db ingest tel-csv lmt_metadata.csv --json\n"
               "  tolteca_db ingest from-tel-csv lmt_metadata.csv -l LMT --skip-existing\n");
  cmd->footer(cmd->get_footer() + "\nAlias: from-tel-csv (the seed's name).");
  cmd->callback([o] {
    if (o->csv.empty())
      throw UserError("no CSV_PATH: the seed's LMT web-API mode cannot work offline; download the metadata "
                      "catalogue and give its path (tolteca_db ingest tel-csv lmt_metadata.csv)");
    if (o->batch_size < 0) throw UserError("--batch-size must not be negative");
    auto s = open_registry(o->db, o->dry_run ? storage::OpenMode::ReadOnly : storage::OpenMode::ReadWrite);
    if (!o->location.empty() && !s->locations().find(o->location))
      throw UserError(fmt::format("location {} does not exist (see 'tolteca_db db location list')", o->location));
    auto r = ingest::ingest_tel_csv(*s, o->csv, o->include_invalid, o->dry_run);
    if (o->json) {
      nlohmann::json probs = nlohmann::json::array();
      for (const auto& p : r.problems) probs.push_back({{"line", p.line}, {"reason", p.reason}});
      print_json(cli::out(), {{"path", r.path},
                             {"dry_run", r.dry_run},
                             {"data_rows", r.data_rows},
                             {"rows", r.rows},
                             {"applied", r.applied},
                             {"invalid", r.invalid},
                             {"duplicates", r.duplicates},
                             {"malformed", r.malformed},
                             {"malformed_rows", probs},
                             {"raw_obs_updated", r.raw_obs_updated},
                             {"unmatched_obsnums", r.unmatched_obsnums},
                             {"elapsed_s", r.elapsed_s}});
      return;
    }
    print_key_values(cli::out(), {{"catalogue", r.path},
                                 {"data rows", std::to_string(r.data_rows)},
                                 {"applied", std::to_string(r.applied) + (r.dry_run ? " (dry run: nothing written)" : "")},
                                 {"invalid (skipped)", std::to_string(r.invalid)},
                                 {"duplicates (a later row wins)", std::to_string(r.duplicates)},
                                 {"malformed (skipped)", std::to_string(r.malformed)},
                                 {"raw observations updated", std::to_string(r.raw_obs_updated)},
                                 {"obsnums without a tcs raw observation", std::to_string(r.unmatched_obsnums)}});
    for (const auto& p : r.problems) cli::err() << fmt::format("{}:{}: {}\n", r.path, p.line, p.reason);
  });
}

}  // namespace

void register_ingest_commands(CLI::App& app) {
  auto* ingest = app.add_subcommand(
      "ingest", "Ingest files: file, directory, scan, toltec-db (from-toltec-db), tel-csv (from-tel-csv)");
  ingest->require_subcommand(1);
  register_file(*ingest);
  register_directory(*ingest);
  register_scan(*ingest);
  register_toltec_db(*ingest);
  register_tel_csv(*ingest);
}

}  // namespace tolteca::cli
