// `tolteca_db ingest …`: file, directory, scan, toltec-db, tel-csv.
#include <fmt/format.h>

#include <iostream>

#include "assoc/engine.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "db/site_db_reader.h"
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
  print_key_values(std::cout, kv);
  // Per-file reasons of the problem files (all of them are in --json and in the event log).
  constexpr std::size_t kShown = 20;
  for (std::size_t i = 0; i < s.problems.size() && i < kShown; ++i)
    std::cout << fmt::format("  {:<8} {}: {}\n", s.problems[i].status, s.problems[i].path, s.problems[i].reason);
  std::int64_t more = s.problems_not_listed + static_cast<std::int64_t>(s.problems.size() > kShown ? s.problems.size() - kShown : 0);
  if (more > 0) std::cout << fmt::format("  … and {} more (see --json, or 'query export --what events')\n", more);
}

void add_location_options(CLI::App* cmd, std::string& location, std::string& data_root) {
  cmd->add_option("--location", location,
                  "Location label (default: the only location; a new one is named 'local')");
  cmd->add_option("--data-root", data_root,
                  "Data root of the location (creates it on first use; paths are stored relative to it)");
}

void add_header_flags(CLI::App* cmd, bool& headers) {
  cmd->add_flag("--headers,!--names-only", headers,
                "Read netCDF headers (default) or trust the file names only (--names-only)");
}

// Runs incremental association generation after ingest, when requested
// (database state; a full regeneration when the state does not match).
nlohmann::json run_associations(db::Session& s) {
  auto r = assoc::generate(s, assoc::GenerateOptions{});
  return {{"mode", r.mode},
          {"full_reason", r.full_reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.full_reason)},
          {"pending", r.pending},
          {"considered", r.considered},
          {"groups_created", r.groups_created},
          {"groups_updated", r.groups_updated},
          {"groups_deleted", r.groups_deleted},
          {"edges_added", r.edges_added},
          {"edges_removed", r.edges_removed},
          {"elapsed_s", r.elapsed_s}};
}

void register_file(CLI::App& ingest) {
  struct Opts {
    DbOptions db;
    std::vector<std::string> paths;
    std::string location, data_root;
    bool headers = true, dry_run = false, json = false, quiet = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = ingest.add_subcommand("file", "Ingest one or more files; prints what was recorded per file");
  cmd->add_option("PATH", o->paths, "Files to ingest")->required();
  add_db_options(cmd, o->db);
  add_location_options(cmd, o->location, o->data_root);
  add_header_flags(cmd, o->headers);
  cmd->add_flag("--dry-run", o->dry_run, "Show what would be recorded; write nothing");
  add_quiet_flag(cmd, o->quiet);
  add_json_flag(cmd, o->json);
  set_examples(cmd,
               "  tolteca_db ingest file /data_lmt/toltec/ics/toltec1/toltec1_018340_000_0000_2024_11_13_21_33_27_vnasweep.nc\n"
               "  tolteca_db ingest file data_lmt/tel/*.nc --location LMT --data-root data_lmt --json\n");
  cmd->callback([o] {
    auto s = open_session(o->db, o->dry_run ? db::OpenMode::ReadOnly : db::OpenMode::ReadWrite);
    ingest::IngestOptions io;
    io.location = o->location;
    io.data_root = o->data_root;
    io.read_headers = o->headers;
    io.dry_run = o->dry_run;
    io.jobs = 1;
    auto sum = ingest::ingest_files(*s, o->paths, io);
    if (o->json) {
      print_json(std::cout, ingest::to_json(sum));
      return;
    }
    if (o->quiet) return;
    Table t{{"path", "status", "uid", "interface", "kind", "note"}, {}, {}};
    t.whole = {true, false, true, false, false, false};
    t.wrap_last = true;
    for (const auto& f : sum.files)
      t.rows.push_back({f.path, f.status, f.uid, f.interface, data_kind_names(f.data_kind), f.note});
    print_table(std::cout, t, OutputFormat::table);
    std::cout << fmt::format("{} file(s): {} new, {} updated, {} unchanged, {} skipped, {} failed{}\n", sum.scanned,
                             sum.new_files, sum.updated, sum.unchanged, sum.skipped, sum.failed,
                             sum.dry_run ? " (dry run: nothing written)" : "");
  });
}

void register_directory(CLI::App& ingest) {
  struct Opts {
    DbOptions db;
    std::string root, pattern, location, data_root;
    bool recursive = true, headers = true, with_assoc = false, prune = false, dry_run = false, quiet = false,
         json = false;
    int jobs = 0;
    std::size_t batch_size = 100000;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = ingest.add_subcommand(
      "directory", "Walk a tree and ingest every TolTEC file (parallel, batched, idempotent, resumable)");
  cmd->add_option("ROOT", o->root, "Directory to walk (under the location's data root)")->required();
  cmd->add_option("--pattern", o->pattern, "Glob on file names, e.g. '*.nc' (on relative paths when it has '/')");
  cmd->add_flag("--recursive,!--no-recursive", o->recursive, "Descend into subdirectories (default) or not");
  add_header_flags(cmd, o->headers);
  cmd->add_option("--jobs,-j", o->jobs, "Worker threads (default: all cores)");
  cmd->add_flag("--with-associations", o->with_assoc, "Run incremental association generation afterwards");
  cmd->add_flag("--prune", o->prune, "Mark files the database knows under ROOT but that are gone as missing");
  cmd->add_flag("--dry-run", o->dry_run, "Report what would change; write nothing");
  add_location_options(cmd, o->location, o->data_root);
  cmd->add_option("--batch-size", o->batch_size, "Files per transaction")->capture_default_str();
  add_quiet_flag(cmd, o->quiet);
  add_db_options(cmd, o->db);
  add_json_flag(cmd, o->json);
  set_examples(cmd,
               "  tolteca_db ingest directory /data_lmt --location LMT\n"
               "  tolteca_db ingest directory /data_lmt/toltec/ics --pattern '*.nc' --jobs 2\n"
               "  tolteca_db ingest directory data_lmt --names-only --prune --json\n"
               "  tolteca_db ingest directory data_lmt --with-associations --wait 30\n");
  cmd->callback([o] {
    if (o->with_assoc && o->dry_run) throw UserError("--with-associations and --dry-run do not go together");
    if (o->batch_size == 0) throw UserError("--batch-size must be at least 1");
    auto s = open_session(o->db, o->dry_run ? db::OpenMode::ReadOnly : db::OpenMode::ReadWrite);
    ProgressDisplay progress("ingest", o->quiet);
    ingest::IngestOptions io;
    io.location = o->location;
    io.data_root = o->data_root;
    io.pattern = o->pattern;
    io.recursive = o->recursive;
    io.read_headers = o->headers;
    io.jobs = o->jobs;
    io.prune = o->prune;
    io.dry_run = o->dry_run;
    io.batch_size = o->batch_size;
    io.progress = progress.callback();
    auto sum = ingest::ingest_directory(*s, o->root, io);
    progress.finish();
    nlohmann::json assoc;
    if (o->with_assoc) assoc = run_associations(*s);
    if (o->json) {
      auto j = ingest::to_json(sum);
      j.erase("files");
      if (o->with_assoc) j["associations"] = assoc;
      print_json(std::cout, j);
      return;
    }
    if (o->quiet) return;
    print_summary(sum, "directory");
    if (o->with_assoc)
      std::cout << fmt::format("associations ({}): {} groups created, {} updated, {} deleted; {} edges added, {} "
                               "removed\n",
                               assoc["mode"].get<std::string>(), assoc["groups_created"].get<std::int64_t>(),
                               assoc["groups_updated"].get<std::int64_t>(), assoc["groups_deleted"].get<std::int64_t>(),
                               assoc["edges_added"].get<std::int64_t>(), assoc["edges_removed"].get<std::int64_t>());
  });
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
  cmd->add_option("ROOT", o->root, "Directory to walk")->required();
  cmd->add_option("--pattern", o->pattern, "Glob on file names, e.g. '*.nc'");
  cmd->add_flag("--recursive,!--no-recursive", o->recursive, "Descend into subdirectories (default) or not");
  cmd->add_flag("--headers,!--names-only", o->headers, "Also read netCDF headers (default: names only)");
  cmd->add_flag("--details", o->details, "List every recognised file");
  cmd->add_option("--rejections,-n", o->max_rejections, "Show the first N rejections")->capture_default_str();
  cmd->add_option("--jobs,-j", o->jobs, "Worker threads (default: all cores)");
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
    so.max_rejections = o->max_rejections;
    so.jobs = o->jobs;
    so.progress = progress.callback();
    auto r = ingest::scan_directory(o->root, so);
    progress.finish();
    if (o->json) {
      auto j = ingest::to_json(r);
      if (!o->details) j.erase("files");
      print_json(std::cout, j);
      return;
    }
    if (o->quiet) return;
    print_key_values(std::cout, {{"root", r.root},
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
      std::cout << '\n';
      print_table(std::cout, t, OutputFormat::table);
    };
    counts("master", r.per_master);
    counts("interface", r.per_interface);
    counts("kind", r.per_kind);
    if (!r.rejections.empty()) {
      std::cout << fmt::format("\nfirst {} rejection(s):\n", r.rejections.size());
      Table t{{"path", "reason", "detail"}, {}, {}};
      t.whole = {true, false, false};
      t.wrap_last = true;
      for (const auto& x : r.rejections) t.rows.push_back({x.path, x.reason, x.detail});
      print_table(std::cout, t, OutputFormat::table);
    }
    if (o->details) {
      std::cout << '\n';
      Table t{{"path", "uid", "interface", "kind", "raw", "problem"}, {}, {}};
      t.whole = {true, true, false, false, false, false};
      t.wrap_last = true;
      for (const auto& f : r.files)
        t.rows.push_back({f.path, f.uid, f.interface, data_kind_names(f.data_kind), f.is_raw ? "yes" : "no", f.problem});
      print_table(std::cout, t, OutputFormat::table);
    }
  });
}

void register_toltec_db(CLI::App& ingest) {
  struct Opts {
    DbOptions db;
    std::string source, location, data_root, since, until, obstype;
    bool valid_only = true, dry_run = false, quiet = false, json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = ingest.add_subcommand("toltec-db", "Ingest from the site file database (a SQLite extract)");
  cmd->add_option("SOURCE", o->source, "sqlite:///path/to/toltec.sqlite, or a path")->required();
  add_location_options(cmd, o->location, o->data_root);
  cmd->add_option("--since", o->since,
                  std::string("Only rows from this time (inclusive): ") + time_arg_forms());
  cmd->add_option("--until", o->until, "Only rows up to this time (inclusive; a day covers the whole day)");
  cmd->add_option("--obstype", o->obstype, "Comma-separated: nominal, timestream, vna, targ, tune (or 0..4)");
  cmd->add_flag("--valid-only,!--include-invalid", o->valid_only,
                "Only rows with Valid = 1 (default); --include-invalid records the others, flagged");
  cmd->add_flag("--dry-run", o->dry_run, "Report what would change; write nothing");
  add_quiet_flag(cmd, o->quiet);
  add_db_options(cmd, o->db);
  add_json_flag(cmd, o->json);
  set_examples(cmd,
               "  tolteca_db ingest toltec-db sqlite:///toltec_db.sqlite --location LMT\n"
               "  tolteca_db ingest toltec-db toltec_db.sqlite --since 2024-11-13 --until 2024-11-14 --obstype vna,targ\n");
  cmd->callback([o] {
    db::site_db_path(o->source);  // an unsupported source is reported before the database is opened
    auto s = open_session(o->db, o->dry_run ? db::OpenMode::ReadOnly : db::OpenMode::ReadWrite);
    ProgressDisplay progress("toltec-db", o->quiet);
    ingest::SiteDbOptions so;
    so.location = o->location;
    so.data_root = o->data_root;
    so.since = o->since;
    so.until = o->until;
    if (!o->obstype.empty()) so.obs_types = ingest::parse_obs_types(o->obstype);
    so.valid_only = o->valid_only;
    so.dry_run = o->dry_run;
    so.progress = progress.callback();
    auto sum = ingest::ingest_toltec_db(*s, o->source, so);
    progress.finish();
    if (o->json) {
      auto j = ingest::to_json(sum);
      j.erase("files");
      print_json(std::cout, j);
      return;
    }
    if (o->quiet) return;
    print_summary(sum, "site database");
  });
}

void register_tel_csv(CLI::App& ingest) {
  struct Opts {
    DbOptions db;
    std::string csv;
    bool include_invalid = false, dry_run = false, json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = ingest.add_subcommand("tel-csv", "Attach the LMT metadata catalogue (CSV) to tcs raw observations");
  cmd->add_option("CSV", o->csv, "The catalogue CSV file")->required();
  cmd->add_flag("--include-invalid", o->include_invalid, "Also apply rows with Valid = 0");
  cmd->add_flag("--dry-run", o->dry_run, "Parse and report; write nothing");
  add_db_options(cmd, o->db);
  add_json_flag(cmd, o->json);
  set_examples(cmd, "  tolteca_db ingest tel-csv lmt_metadata.csv\n  tolteca_db ingest tel-csv lmt_metadata.csv --json\n");
  cmd->callback([o] {
    auto s = open_session(o->db, o->dry_run ? db::OpenMode::ReadOnly : db::OpenMode::ReadWrite);
    auto r = ingest::ingest_tel_csv(*s, o->csv, o->include_invalid, o->dry_run);
    if (o->json) {
      nlohmann::json probs = nlohmann::json::array();
      for (const auto& p : r.problems) probs.push_back({{"line", p.line}, {"reason", p.reason}});
      print_json(std::cout, {{"path", r.path},
                             {"dry_run", r.dry_run},
                             {"rows", r.rows},
                             {"applied", r.applied},
                             {"invalid", r.invalid},
                             {"malformed", r.malformed},
                             {"malformed_rows", probs},
                             {"raw_obs_updated", r.raw_obs_updated},
                             {"unmatched_obsnums", r.unmatched_obsnums},
                             {"elapsed_s", r.elapsed_s}});
      return;
    }
    print_key_values(std::cout, {{"catalogue", r.path},
                                 {"rows", std::to_string(r.rows)},
                                 {"applied", std::to_string(r.applied) + (r.dry_run ? " (dry run: nothing written)" : "")},
                                 {"invalid (skipped)", std::to_string(r.invalid)},
                                 {"malformed (skipped)", std::to_string(r.malformed)},
                                 {"raw observations updated", std::to_string(r.raw_obs_updated)},
                                 {"obsnums without a tcs raw observation", std::to_string(r.unmatched_obsnums)}});
    for (const auto& p : r.problems) std::cerr << fmt::format("{}:{}: {}\n", r.path, p.line, p.reason);
  });
}

}  // namespace

void register_ingest_commands(CLI::App& app) {
  auto* ingest = app.add_subcommand("ingest", "Ingest files: file, directory, scan, toltec-db, tel-csv");
  ingest->require_subcommand(1);
  register_file(*ingest);
  register_directory(*ingest);
  register_scan(*ingest);
  register_toltec_db(*ingest);
  register_tel_csv(*ingest);
}

}  // namespace tolteca::cli
