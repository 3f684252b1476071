// `tolteca_db query export`: observations, files, groups, edges or a table to CSV/Parquet/JSON.
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

// "a = 1 AND b < 2" -> {"a = 1", "b < 2"} (AND in any case, outside quotes).
std::vector<std::string> split_and(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == ' ' && i + 5 <= text.size() && (text[i + 1] | 0x20) == 'a' && (text[i + 2] | 0x20) == 'n' &&
               (text[i + 3] | 0x20) == 'd' && text[i + 4] == ' ') {
      out.push_back(cur);
      cur.clear();
      i += 4;
      continue;
    }
    cur += c;
  }
  out.push_back(cur);
  return out;
}

}  // namespace

void register_export(CLI::App& q) {
  struct Opts {
    DbOptions db;
    std::string output, what = "obs", format;
    std::vector<std::string> where, filter;
    std::optional<std::int64_t> limit;
    bool json = false, force = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = q.add_subcommand("export", "Write observations, files, groups, edges or a table to CSV/Parquet/JSON "
                                         "(DuckDB COPY)");
  cmd->add_option("OUTPUT_FILE", o->output, "Output file (.csv, .parquet, .json)")->required();
  accept_specs(cmd, false);
  add_db_options(cmd, o->db);
  cmd->add_option("--what,--table,-t", o->what,
                  "obs (default), files, groups, edges, or a table name (products, sources, …); --table/-t is the "
                  "seed's name")
      ->capture_default_str();
  cmd->add_option("--format", o->format, "csv, parquet or json (default: from the OUTPUT extension)")
      ->check(CLI::IsMember({"csv", "parquet", "json"}));
  cmd->add_option("--where", o->where,
                  "Filter 'COLUMN OP VALUE' (OP: = != < <= > >= like ilike); repeat to AND; values are bound, "
                  "columns checked against the export's columns")
      ->allow_extra_args(false);
  cmd->add_option("--filter", o->filter,
                  "The seed's filter: 'COLUMN OP VALUE [AND COLUMN OP VALUE …]', parsed like --where (values "
                  "bound, columns checked; never SQL)")
      ->allow_extra_args(false);
  cmd->add_option("--limit,-n", o->limit, "At most N rows");
  cmd->add_flag("--force", o->force, "Replace OUTPUT if it exists (never the open database)");
  add_json_flag(cmd, o->json);
  set_examples(cmd,
               "  tolteca_db query export obs.parquet\n"
               "  tolteca_db query export products.csv --table products --filter 'obsnum > 18340' -n 10\n"
               "  tolteca_db query export night.csv 'ics-[18300:18400]'\n"
               "  tolteca_db query export files.json --what files '[]/7' --where 'availability = missing'\n"
               "  tolteca_db query export focus.csv --where 'obs_goal = focus' --where 'tau < 0.2'\n"
               "  tolteca_db query export edges.parquet --what edges\n");
  cmd->callback([o, cmd] {
    query::ExportRequest r;
    r.output = o->output;
    r.what = o->what;
    r.force = o->force;
    r.specs = query::parse_specs(take_specs(cmd, false));
    for (const auto& w : o->where) r.where.push_back(query::parse_where(w));
    for (const auto& f : o->filter)
      for (const auto& term : split_and(f)) r.where.push_back(query::parse_where(term));
    if (o->limit && *o->limit < 0) throw UserError("--limit must not be negative");
    r.limit = o->limit;
    if (!o->format.empty()) {
      r.format = *query::parse_export_format(o->format);
    } else if (auto f = query::export_format_from_path(o->output)) {
      r.format = *f;
    } else {
      throw UserError(fmt::format("cannot tell the format of '{}' from its extension; pass --format csv, parquet or "
                                  "json",
                                  o->output));
    }
    auto s = open_registry(o->db, storage::OpenMode::ReadOnly);
    auto res = s->query().export_rows(r);
    if (o->json) {
      print_json(cli::out(), {{"path", res.path}, {"what", res.what}, {"format", res.format}, {"rows", res.rows}});
      return;
    }
    cli::out() << fmt::format("exported {} row(s) of {} to {} ({})\n", res.rows, res.what, res.path, res.format);
  });
}

}  // namespace tolteca::cli
