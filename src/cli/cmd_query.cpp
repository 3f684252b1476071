// `tolteca_db query …`: obs, files, groups, export, stats, provenance (one cmd_query_<name>.cpp
// each; shared formatting in cli/query_common.h). JSON keys: docs/OUTPUT.md.
#include "cli/common.h"
#include "cli/query_common.h"

namespace tolteca::cli {

void register_query_commands(CLI::App& app) {
  auto* q = app.add_subcommand("query", "Queries and exports: obs, files, groups, export, stats, provenance");
  q->require_subcommand(1);
  q->footer(
      "\nObservation specs: [master-]obsnum[-subobsnum[-scannum]][/network]\n"
      "  each number: 18366 | {0,1,2} | [0:5] (0..4) | [0:10:2] | [10:] | [] or {} (all)\n"
      "  /N or /toltecN a network, /hwpr, /tel_toltec an interface; 'latest' the newest observation\n"
      "  e.g. 18366, ics-18366-[0:10], tcs-131289-0-{2,3}, '[]/7', 131288-[]-1, latest/7");
  register_obs(*q);
  register_files(*q);
  register_groups(*q);
  register_export(*q);
  register_stats(*q);
  register_provenance(*q);
}

}  // namespace tolteca::cli