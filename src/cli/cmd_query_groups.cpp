// `tolteca_db query groups`: association groups.
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

json group_json(const query::GroupRow& g, bool members) {
  json j{{"uid", g.uid},
         {"name", g.name},
         {"type", g.type},
         {"n_items", g.n_items},
         {"master", opt_json(g.master)},
         {"first_obsnum", opt_json(g.first_obsnum)},
         {"last_obsnum", opt_json(g.last_obsnum)},
         {"latest_member_time", iso_json(g.latest_member_time)}};
  if (members) {
    json arr = json::array();
    for (const auto& m : g.members)
      arr.push_back({{"uid", m.uid},
                     {"product_type", m.product_type},
                     {"data_kind", m.data_kind},
                     {"kinds", kinds_json(m.data_kind)},
                     {"start_time", iso_json(m.start_time)}});
    j["members"] = arr;
  }
  return j;
}

std::string obsnum_range(const query::GroupRow& g) {
  if (!g.first_obsnum) return "";
  if (!g.last_obsnum || *g.last_obsnum == *g.first_obsnum) return std::to_string(*g.first_obsnum);
  return fmt::format("{}-{}", *g.first_obsnum, *g.last_obsnum);
}

}  // namespace

void register_groups(CLI::App& q) {
  struct Opts {
    DbOptions db;
    FormatOptions out;
    std::vector<std::string> types;
    std::string since;
    std::optional<std::int64_t> limit, obsnum;
    bool members = false, newest = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = q.add_subcommand("groups", "Association groups: name, type, size, obsnum range, latest member time");
  accept_specs(cmd, false);
  add_db_options(cmd, o->db);
  cmd->add_option("--type", o->types,
                  "cal_group, drivefit, focus_group, astig_group, named_group; comma-separated or repeated")
      ->allow_extra_args(false);
  cmd->add_option("--since", o->since, std::string("Latest member time >= T: ") + time_arg_forms());
  cmd->add_option("--obsnum", o->obsnum, "Only groups with a member of this obsnum (same as the spec N)");
  cmd->add_option("--limit,-n", o->limit, "At most N groups");
  cmd->add_flag("--newest,--reverse", o->newest, "Newest latest member first; with --limit N: the last N");
  cmd->add_flag("--members", o->members, "List the member observations (quartet, kinds, start)");
  add_format_options(cmd, o->out);
  set_examples(cmd,
               "  tolteca_db query groups\n"
               "  tolteca_db query groups --type cal_group --members\n"
               "  tolteca_db query groups ics-18341 --json\n"
               "  tolteca_db query groups --type focus_group,astig_group --since 2024-11-13\n"
               "  tolteca_db query groups --newest --limit 3\n");
  cmd->callback([o, cmd] {
    query::GroupFilter f;
    f.types = split_list(o->types);
    f.specs = query::parse_specs(with_obsnum(take_specs(cmd, false), o->obsnum));
    f.since = parse_time_option(o->since, "--since");
    f.limit = o->limit;
    f.newest = o->newest;
    f.members = o->members;
    auto format = o->out.resolve();
    auto s = open_registry(o->db, storage::OpenMode::ReadOnly);
    auto groups = s->query().groups(f);
    Table t{{"name", "type", "n_items", "obsnums", "master", "latest_member_time", "uid"},
            {},
            {false, false, true, false, false, false, false}};
    t.whole = {true, false, false, false, false, true, true};  // name, time and uid stay whole
    t.drop_order = {4, 3, 2, 1};
    Table mt{{"group", "type", "member", "kinds", "start_time"}, {}, {}};
    if (groups.empty()) {
      print_empty(format, o->members && format != OutputFormat::json ? mt : t, "no groups match");
      return;
    }
    if (format == OutputFormat::json) {
      json arr = json::array();
      for (const auto& g : groups) arr.push_back(group_json(g, o->members));
      print_json(cli::out(), arr);
      return;
    }
    for (const auto& g : groups)
      t.rows.push_back({clean(g.name), g.type, std::to_string(g.n_items), obsnum_range(g), opt_text(g.master),
                        iso(g.latest_member_time), clean(g.uid)});
    if (format != OutputFormat::table) {
      if (o->members) {
        for (const auto& g : groups)
          for (const auto& m : g.members)
            mt.rows.push_back({clean(g.name), g.type, m.uid, data_kind_names(m.data_kind), iso(m.start_time)});
        print_table(cli::out(), mt, format);
      } else {
        print_table(cli::out(), t, format);
      }
      return;
    }
    if (o->members)
      for (const auto& g : groups) {
        std::vector<std::string> lines;
        for (const auto& m : g.members)
          lines.push_back(fmt::format("{:<18} {:<20} {}", m.uid, data_kind_names(m.data_kind), iso(m.start_time)));
        t.details.push_back(std::move(lines));
      }
    print_table(cli::out(), t, OutputFormat::table);
    if (stdout_is_tty()) cli::out() << fmt::format("{} group(s)\n", groups.size());
  });
}

}  // namespace tolteca::cli
