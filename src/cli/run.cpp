#include "cli/run.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/common.h"
#include "cli/errors.h"
#include "cli/suggest.h"
#include "cli/help_format.h"
#include "cli/forward.h"
#include "storage/open.h"
#include "model/error.h"
#include "tolteca/version.h"

namespace tolteca::cli {
namespace {

// For "A subcommand is required": names the word that is not a command (or lists the commands), so
// `tolteca_db db frobnicate` says what is wrong. Empty when the error is something else.
std::string missing_command_message(CLI::App& app, int argc, char** argv) {
  CLI::App* cur = &app;
  std::string path = "tolteca_db";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (!a.empty() && a[0] == '-') {
      auto* opt = cur->get_option_no_throw(a.substr(0, a.find('=')));
      if (opt && a.find('=') == std::string::npos && opt->get_items_expected_max() > 0) ++i;
      continue;
    }
    CLI::App* sub = nullptr;
    try {
      sub = cur->get_subcommand(a);
    } catch (const CLI::OptionNotFound&) {
    }
    if (!sub) {
      if (cur->get_subcommands({}).empty()) return {};
      std::string names;
      for (auto* c : cur->get_subcommands({})) names += (names.empty() ? "" : ", ") + c->get_name();
      return fmt::format("unknown command '{}' for '{}'; expected one of: {}", a, path, names);
    }
    cur = sub;
    path += " " + a;
  }
  std::string names;
  for (auto* c : cur->get_subcommands({})) names += (names.empty() ? "" : ", ") + c->get_name();
  if (names.empty()) return {};
  return fmt::format("'{}' needs a command: {}; see --help", path, names);
}

}  // namespace

int run_command_line(int argc, char** argv) {
  CLI::App app{"tolteca_db: the data registry of the TolTEC camera (LMT).\n"
               "Scans archives of raw netCDF files, records files and raw observations in DuckDB,\n"
               "groups observations into associations, and answers queries and exports.",
               "tolteca_db"};
  app.require_subcommand(1);
  cli::install_help_formatter(app);
  app.set_version_flag("--version",
                       fmt::format("tolteca_db {} ({})", kVersion, storage::backend_versions()));
  cli::register_db_commands(app);
  cli::register_simulate_command(app);
  cli::register_ingest_commands(app);
  cli::register_assoc_commands(app);
  cli::register_query_commands(app);
  cli::register_serve_commands(app);
  // After the commands: subcommands inherit the footer of their parent when they are added.
  // A first session, in order, from an empty directory (tests/e2e/help_examples_test.cpp runs it).
  app.footer(
      "\nExamples:\n"
      "  tolteca_db simulate data_lmt --nights 1 --scale 0.2\n"
      "  tolteca_db db init --db duckdb:///./tolteca.duckdb --location LMT --data-root data_lmt\n"
      "  tolteca_db ingest directory data_lmt --location LMT\n"
      "  tolteca_db assoc generate --incremental\n"
      "  tolteca_db query obs --newest --limit 10\n"
      "  tolteca_db query obs latest --json\n"
      "\nExit codes: 0 success, 1 user error (bad input; one line on stderr), 2 internal error.\n"
      "Environment: TOLTECA_DB_URL (default database URL), TOLTEC_DB_URL (default site database of\n"
      "'ingest toltec-db'), TOLTECA_WEB_DATA_LMT_ROOTPATH (its default --data-root), NO_COLOR, COLUMNS (table\n"
      "width). Seed compatibility: the original tool's names work as aliases (--url, from-toltec-db, ...; README).");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, cli::out(), cli::err());
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, cli::out(), cli::err());
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, cli::out(), cli::err());
  } catch (const CLI::RequiredError& e) {
    if (auto hint = cli::did_you_mean_message(app, argc, argv); !hint.empty()) {
      cli::err() << "tolteca_db: error: " << hint << '\n';
      return 1;
    }
    if (auto msg = missing_command_message(app, argc, argv);
        !msg.empty() && std::string(e.what()).find("subcommand") != std::string::npos) {
      cli::err() << "tolteca_db: error: " << msg << '\n';
      return 1;
    }
    app.exit(e, cli::out(), cli::err());
    return 1;
  } catch (const CLI::ParseError& e) {
    if (auto hint = cli::did_you_mean_message(app, argc, argv); !hint.empty()) {
      cli::err() << "tolteca_db: error: " << hint << '\n';
      return 1;
    }
    app.exit(e, cli::out(), cli::err());
    return 1;
  } catch (const ForwardToServer& f) {
    // A server holds the registry this command wants: it runs the command on our behalf.
    return forward_to_server(f, argc, argv);
  } catch (const Cancelled&) {
    cli::out().flush();
    cli::err() << "tolteca_db: cancelled\n";
    return 130;
  } catch (const UserError& e) {
    cli::out().flush();
    cli::err() << "tolteca_db: error: " << cli::phrase_error(e) << '\n';
    return 1;
  } catch (const std::exception& e) {
    cli::out().flush();
    cli::err() << "tolteca_db: internal error: " << e.what() << '\n';
    return 2;
  }
  cli::out().flush();
  return 0;
}

}  // namespace tolteca::cli
