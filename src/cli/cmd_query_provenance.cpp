// `tolteca_db query provenance`: the graph around an observation.
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

namespace {

struct ProvenanceCli {
  DbOptions db;
  FormatOptions out;
  std::int64_t limit = 100;
};

void run_provenance(const ProvenanceCli& opts, CLI::App* cmd) {
  const ProvenanceCli* o = &opts;
  auto specs = query::parse_specs(take_specs(cmd, true));
  auto format = o->out.resolve();
  auto s = open_registry(o->db, storage::OpenMode::ReadOnly);
  auto provs = s->query().provenance(specs, o->limit);
  Table t{{"obs", "relation", "depth", "uid", "name", "detail"}, {}, {false, false, true, false, false, false}};
  for (const auto& p : provs) {
    for (const auto& g : p.groups) t.rows.push_back({p.obs.uid, "group", "", clean(g.uid), clean(g.name), g.type});
    for (const auto& c : p.cal_chain)
      t.rows.push_back({p.obs.uid, "cal", std::to_string(c.depth), c.uid, c.from_uid,
                        data_kind_names(c.data_kind) + (c.networks.empty() ? "" : " networks " + c.networks)});
    for (const auto& r : p.reduced) t.rows.push_back({p.obs.uid, "reduced", "", r, "", ""});
    for (const auto& r : p.referenced_by) t.rows.push_back({p.obs.uid, "cal_of", "", r, "", ""});
  }
  if (provs.empty()) {
    print_empty(format, t, "no observations match");
    return;
  }
  if (format == OutputFormat::json) {
    json arr = json::array();
    for (const auto& p : provs) {
      json groups = json::array();
      for (const auto& g : p.groups) groups.push_back({{"uid", g.uid}, {"name", g.name}, {"type", g.type}});
      json chain = json::array();
      for (const auto& c : p.cal_chain)
        chain.push_back({{"depth", c.depth},
                         {"from", c.from_uid},
                         {"uid", c.uid},
                         {"data_kind", c.data_kind},
                         {"kinds", kinds_json(c.data_kind)},
                         {"networks", c.networks}});
      arr.push_back({{"obs", obs_json(p.obs, false)},
                     {"groups", groups},
                     {"cal_chain", chain},
                     {"reduced", p.reduced},
                     {"cal_of", p.referenced_by}});
    }
    print_json(cli::out(), arr);
    return;
  }
  if (format != OutputFormat::table) {
    print_table(cli::out(), t, format);
    return;
  }
  bool first = true;
  for (const auto& p : provs) {
    if (!first) cli::out() << '\n';
    first = false;
    std::vector<std::string> gnames;
    for (const auto& g : p.groups) gnames.push_back(fmt::format("{} ({})", g.name, g.type));
    print_key_values(cli::out(), {{"observation", p.obs.uid},
                                 {"kinds", data_kind_names(p.obs.data_kind)},
                                 {"start", iso(p.obs.start_time)},
                                 {"networks", query::compress_numbers(p.obs.networks)},
                                 {"groups", gnames.empty() ? "-" : joined(gnames, ", ")},
                                 {"reduced", p.reduced.empty() ? "-" : joined(p.reduced, ", ")},
                                 {"cal of", p.referenced_by.empty() ? "-" : joined(p.referenced_by, ", ")},
                                 {"cal chain", p.cal_chain.empty() ? "-" : fmt::format("{} step(s)", p.cal_chain.size())}});
    // The chain, one step per line: depth, cal observation (kinds) <- the observation pointing at it.
    for (const auto& c : p.cal_chain)
      cli::out() << fmt::format("  {:>2}  {:<18} {:<26} <- {}{}\n", c.depth, c.uid,
                               "(" + data_kind_names(c.data_kind) + ")", c.from_uid,
                               c.networks.empty() ? "" : "  networks " + c.networks);
  }
}

}  // namespace

void register_provenance(CLI::App& q) {
  auto o = std::make_shared<ProvenanceCli>();
  auto* cmd = q.add_subcommand("provenance", "The graph around an observation: groups, cal chain, reduced products");
  accept_specs(cmd, true);
  add_db_options(cmd, o->db);
  cmd->add_option("--limit", o->limit, "At most N observations")->capture_default_str();
  add_format_options(cmd, o->out);
  set_examples(cmd,
               "  tolteca_db query provenance ics-18343-0-0\n"
               "  tolteca_db query provenance tcs-131289-0-2 --json\n"
               "  tolteca_db query provenance latest\n");
  cmd->callback([o, cmd] { run_provenance(*o, cmd); });
}

}  // namespace tolteca::cli
