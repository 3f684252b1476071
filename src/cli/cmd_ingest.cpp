// `tolteca_db ingest …`: file, directory, scan (cmd_ingest_files.cpp), toltec-db, tel-csv
// (cmd_ingest_site.cpp); shared options and summaries in cli/ingest_common.h.
#include "cli/common.h"
#include "cli/ingest_common.h"

namespace tolteca::cli {

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