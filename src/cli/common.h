#pragma once
// Options shared by every command, and how commands are registered.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "cli/console.h"
#include "cli/output.h"
#include "storage/registry.h"

namespace tolteca::cli {

struct DbOptions {
  std::string url;          // --db
  double wait_seconds = 0;  // --wait
  bool read_only = false;   // --read-only
};

// --db URL (default $TOLTECA_DB_URL, else duckdb:///./tolteca.duckdb) and --wait.
void add_db_options(CLI::App* cmd, DbOptions& opts);
// Opens the registry the command needs (mode by the command's nature; --read-only forces ReadOnly).
std::unique_ptr<storage::Registry> open_registry(const DbOptions& opts, storage::OpenMode mode);
// For commands that add data (ingest file/directory/from-toltec-db): read-only for a dry run; else a
// registry that does not exist is created with its schema (a note on stderr says so).
std::unique_ptr<storage::Registry> open_registry_for_ingest(const DbOptions& opts, bool dry_run);

// The settings the library takes as options and the environment may give (read here, never in the library):
// TOLTECA_INGEST_TRACE (set: per-batch timings on stderr), TOLTECA_INGEST_DB_THREADS (N: DuckDB threads while
// ingesting), TOLTECA_FAULT_EXPORT_KILL_AFTER (N: test hook, db export kills itself after N table files).
storage::IngestOptions ingest_storage_options_from_env();
storage::BackupExportOptions backup_export_options_from_env();

// --json flag.
void add_json_flag(CLI::App* cmd, bool& json);
// --format table|json|csv|tsv (with --json as a synonym for --format json).
struct FormatOptions {
  std::string format;  // empty: table
  bool json = false;
  OutputFormat resolve() const;
};
// Also adds --wide (table form: every column, see cli/table_fit.h).
void add_format_options(CLI::App* cmd, FormatOptions& opts);

// -q/--quiet, the same on every command: print nothing but errors, and the
// machine output (--json/--format) when it was asked for. No progress display,
// no summary, no notes.
inline constexpr const char* kQuietHelp =
    "Print nothing but errors (and --json/--format output when asked for): no progress, summary or notes";
void add_quiet_flag(CLI::App* cmd, bool& quiet);

// Adds an "Examples:" block to the subcommand's --help.
void set_examples(CLI::App* cmd, const std::string& examples);

// Each part of the CLI registers its subcommands here (one file each).
void register_db_commands(CLI::App& app);
void register_location_commands(CLI::App& db);  // `db location …` (cmd_location.cpp)
void register_simulate_command(CLI::App& app);
void register_ingest_commands(CLI::App& app);
void register_assoc_commands(CLI::App& app);
void register_query_commands(CLI::App& app);
void register_serve_commands(CLI::App& app);  // serve, dash serve (cmd_serve.cpp)

}  // namespace tolteca::cli
