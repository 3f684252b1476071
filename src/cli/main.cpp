// tolteca_db: the command-line front end. It parses arguments and prints;
// the engine (libtolteca) does the work.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/common.h"
#include "db/duckdb.h"
#include "model/error.h"
#include "tolteca/version.h"

int main(int argc, char** argv) {
  using namespace tolteca;
  CLI::App app{"tolteca_db: the data registry of the TolTEC camera (LMT).\n"
               "Scans archives of raw netCDF files, records files and raw observations in DuckDB,\n"
               "groups observations into associations, and answers queries and exports.",
               "tolteca_db"};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       fmt::format("tolteca_db {} (DuckDB {})", kVersion, db::library_version()));
  app.footer(
      "\nExamples:\n"
      "  tolteca_db db init --db duckdb:///./tolteca.duckdb --location LMT --data-root /data_lmt\n"
      "  tolteca_db simulate demo/data_lmt --nights 1\n"
      "  tolteca_db ingest directory demo/data_lmt --location LMT\n"
      "  tolteca_db assoc generate --incremental\n"
      "  tolteca_db query obs ics-18366 --json\n"
      "\nExit codes: 0 success, 1 user error (bad input; one line on stderr), 2 internal error.\n"
      "Environment: TOLTECA_DB_URL (default database URL), NO_COLOR.");
  cli::register_db_commands(app);
  cli::register_simulate_command(app);
  cli::register_ingest_commands(app);
  cli::register_assoc_commands(app);
  cli::register_query_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 1;
  } catch (const UserError& e) {
    std::cout.flush();
    std::cerr << "tolteca_db: error: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "tolteca_db: internal error: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
