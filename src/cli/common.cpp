#include "cli/common.h"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <iostream>

#include "cli/forward.h"
#include "storage/open.h"
#include "model/error.h"

namespace tolteca::cli {

void add_db_options(CLI::App* cmd, DbOptions& opts) {
  opts.url = storage::default_registry_url(env("TOLTECA_DB_URL"));
  cmd->add_option("--db,--url", opts.url,
                  "Database URL (default: $TOLTECA_DB_URL, else duckdb:///./tolteca.duckdb); --url is the seed's name")
      ->capture_default_str();
  cmd->add_option("--wait", opts.wait_seconds, "Wait up to SECONDS for another process's lock on the database");
  cmd->add_flag("--read-only", opts.read_only,
                "Open the database read-only (shared with other readers; refused by commands that write)");
}

namespace {
storage::OpenOptions open_options(const DbOptions& opts, storage::OpenMode mode) {
  if (opts.read_only && mode != storage::OpenMode::ReadOnly)
    throw UserError("--read-only was given, but this command writes to the database");
  storage::OpenOptions o;
  o.mode = opts.read_only ? storage::OpenMode::ReadOnly : mode;
  o.wait_seconds = opts.wait_seconds;
  // TOLTECA_ASSOC_TRACE=1: the association store prints every query with its time on stderr.
  const auto trace = env("TOLTECA_ASSOC_TRACE");
  o.assoc.trace = trace && !trace->empty() && (*trace)[0] != '0';
  return o;
}
}  // namespace

std::unique_ptr<storage::Registry> open_registry(const DbOptions& opts, storage::OpenMode mode) {
  const auto options = open_options(opts, mode);
  if (const auto* provider = console().registry_provider())  // inside a server: its registry
    if (auto served = (*provider)(opts.url, options.mode)) return served;
  forward_if_served(opts.url);  // a server holds it: the command runs there (cli/forward.h)
  return storage::open_registry(opts.url, options);
}

std::unique_ptr<storage::Registry> open_registry_for_ingest(const DbOptions& opts, bool dry_run) {
  if (dry_run) return open_registry(opts, storage::OpenMode::ReadOnly);
  // The seed's daily workflow starts with an ingest: a database that does not exist yet is created
  // (as db init would); one that exists is opened as it is (an old schema still asks for db init).
  const bool missing = !storage::registry_exists(opts.url) && !storage::parse_registry_url(opts.url).in_memory();
  auto r = open_registry(opts, missing ? storage::OpenMode::Create : storage::OpenMode::ReadWrite);
  if (missing && r->admin().created_schema())
    cli::err() << "note: created the database " << r->display_name() << " (it did not exist)\n";
  return r;
}

storage::IngestOptions ingest_storage_options_from_env() {
  storage::IngestOptions o;
  o.trace = env("TOLTECA_INGEST_TRACE").has_value();
  if (const auto t = env("TOLTECA_INGEST_DB_THREADS")) o.db_threads = std::atoi(t->c_str());
  return o;
}

storage::BackupExportOptions backup_export_options_from_env() {
  storage::BackupExportOptions o;
  if (const auto v = env("TOLTECA_FAULT_EXPORT_KILL_AFTER"); v && !v->empty()) o.kill_after_tables = std::atoi(v->c_str());
  return o;
}

void add_json_flag(CLI::App* cmd, bool& json) { cmd->add_flag("--json", json, "Print machine-readable JSON"); }

OutputFormat FormatOptions::resolve() const {
  if (json) return OutputFormat::json;
  if (format.empty()) return OutputFormat::table;
  return parse_output_format(format);
}

void add_format_options(CLI::App* cmd, FormatOptions& opts) {
  cmd->add_option("--format", opts.format, "Output format: table, json, csv or tsv (default table)")
      ->check(CLI::IsMember({"table", "json", "csv", "tsv"}));
  cmd->add_flag("--json", opts.json, "Same as --format json");
  cmd->add_flag_callback("--wide", [] { set_wide_tables(true); },
                         "Table form: show every column, however wide the terminal (default: columns that do not "
                         "fit are left out and named)");
}

void add_quiet_flag(CLI::App* cmd, bool& quiet) {
  cmd->add_flag("--quiet,-q", quiet, kQuietHelp);
}

void set_examples(CLI::App* cmd, const std::string& examples) { cmd->footer("\nExamples:\n" + examples); }

}  // namespace tolteca::cli
