// `tolteca_db ingest toltec-db | tel-csv`: the site's file database and the telescope metadata catalogue.
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
    throw UserError("no site database: give TOLTEC_DB (mysql://user@host/dbname, a SQLite file or sqlite:///path), "
                    "--toltec-db-url, or set "
                    "$TOLTEC_DB_URL");
  storage::parse_site_db_source(source);  // an unsupported source is reported before the database is opened
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

}  // namespace

void register_toltec_db(CLI::App& ingest) {
  auto o = std::make_shared<SiteDbCli>();
  auto* cmd = ingest.add_subcommand("toltec-db", "Ingest from the site file database (MySQL/MariaDB, or a SQLite extract)");
  cmd->alias("from-toltec-db");
  cmd->add_option("TOLTEC_DB", o->source,
                  "mysql://user@host[:port]/dbname, sqlite:///path/to/toltec.sqlite, or a path (default: --toltec-db-url, "
                  "else $TOLTEC_DB_URL)");
  cmd->add_option("--toltec-db-url", o->source_url, "The site database as a URL (mysql://…, mysql+pymysql://…, sqlite:///…)");
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
              "\nThe telescope's MySQL/MariaDB database: mysql://toltec@sitedb.lmt/toltec (also mysql+pymysql://,\n"
              "mariadb://; :PORT after the host, ?unix_socket=PATH for a local socket). Give the password in\n"
              "$MYSQL_PWD or ~/.my.cnf ([client] password=...) rather than in the URL. Only SELECTs are sent,\n"
              "in a read-only transaction.\n"
              "Alias: from-toltec-db (the seed's name). Environment: TOLTEC_DB_URL (default site database),\n"
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

}  // namespace tolteca::cli
