// `tolteca_db query files`: the files of the matching observations.
#include <fmt/format.h>

#include <iostream>
#include <sstream>

#include "cli/common.h"
#include "cli/help_format.h"
#include "cli/query_common.h"
#include "cli/suggest.h"
#include "model/error.h"
#include "model/query_types.h"
#include "model/time_arg.h"
#include "query/coverage.h"
#include "query/spec.h"
#include "storage/registry.h"

namespace tolteca::cli {

using nlohmann::json;

void register_files(CLI::App& q) {
  struct Opts {
    DbOptions db;
    FormatOptions out;
    std::string interface;
    bool missing = false, all_locations = false, newest = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = q.add_subcommand("files", "Absolute paths of the files of the matching observations, one per line");
  accept_specs(cmd, false);
  cmd->description(cmd->get_description() + " (required unless --missing)");
  add_db_options(cmd, o->db);
  cmd->add_option("--interface", o->interface, "Only this interface: 0-12, toltecN, hwpr, tel_toltec, …");
  cmd->add_flag("--missing", o->missing, "Only files recorded as missing (without a SPEC: every missing file)");
  cmd->add_flag("--newest,--reverse", o->newest, "Newest observations first");
  cmd->add_flag("--all-locations", o->all_locations,
                "One line per file per location (default: the best location of each file)");
  add_format_options(cmd, o->out);
  set_examples(cmd,
               "  tolteca_db query files ics-18343\n"
               "  tolteca_db query files 'tcs-131289-0-{2,3}' --interface tel_toltec\n"
               "  tolteca_db query files '[]/7' --missing\n"
               "  tolteca_db query files --missing\n"
               "  tolteca_db query files latest | xargs ls -l\n");
  cmd->callback([o, cmd] {
    query::FileFilter f;
    auto specs = take_specs(cmd, false);
    if (specs.empty() && !o->missing)
      throw UserError("'query files' needs at least one observation spec ('[]' for all), or --missing");
    f.specs = query::parse_specs(specs);
    f.newest = o->newest;
    if (!o->interface.empty()) {
      f.interface = query::normalize_interface(o->interface);
      if (!f.interface)
        throw UserError(fmt::format("--interface '{}': expected 0-12, toltec0..toltec12, hwpr, toltec_hk, "
                                    "tel_toltec, tel_toltec2 or wyatt",
                                    o->interface));
    }
    f.missing_only = o->missing;
    f.all_locations = o->all_locations;
    auto format = o->out.resolve();
    auto s = open_registry(o->db, storage::OpenMode::ReadOnly);
    if (format == OutputFormat::json) {  // streamed: any number of files
      JsonArrayPrinter printer(cli::out());
      s->query().files(f, [&](query::FileRow&& r) {
        printer.add(file_json(r));
        return true;
      });
      printer.finish();
      return;
    }
    auto files = s->query().files_all(f);
    if (files.empty()) {
      print_empty(format, files_table({}), o->missing ? "no missing files match" : "no files match");
      return;
    }
    if (format == OutputFormat::table) {
      for (const auto& r : files) cli::out() << r.path << '\n';
    } else {
      print_table(cli::out(), files_table(files), format);
    }
  });
}

}  // namespace tolteca::cli
