// `tolteca_db query stats`: totals, per master/kind/night, coverage, missing files, failures.
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

json counts_json(const std::vector<query::CountRow>& rows) {
  json j = json::object();
  for (const auto& r : rows) j[r.key] = r.count;
  return j;
}

}  // namespace

namespace {

struct StatsCli {
  DbOptions db;
  FormatOptions out;
};

void print_stats_json(const query::Stats& st, const json& server) {
  {
    json nights = json::array();
    for (const auto& n : st.per_night) nights.push_back({{"night", n.night}, {"observations", n.observations}});
    json nets = json::array();
    for (const auto& n : st.networks)
      nets.push_back({{"interface", n.interface},
                      {"files", n.files},
                      {"missing", n.missing}});
    json fails = json::array();
    for (const auto& f : st.recent_failures)
      fails.push_back({{"time", iso_json(f.time)}, {"subject", f.subject}, {"message", f.message}});
    json j = {{"observations", st.observations},
                           {"files", st.files},
                           {"missing_files", st.missing_files},
                           {"reduced", st.reduced},
                           {"groups", st.groups},
                           {"edges", st.edges},
                           {"failed_ingests", st.failed_ingests},
                           {"db_size", opt_json(st.db_size)},
                           {"first_start", iso_json(st.first_start)},
                           {"last_start", iso_json(st.last_start)},
                           {"groups_per_type", counts_json(st.groups_per_type)},
                           {"edges_per_type", counts_json(st.edges_per_type)},
                           {"per_master", counts_json(st.per_master)},
                           {"per_kind", counts_json(st.per_kind)},
                           {"per_night", nights},
                           {"networks", nets},
                           {"recent_failures", fails}};
    if (server.contains("watch")) j["watch"] = server["watch"];  // served with --watch
    print_json(cli::out(), j);
  }
}

// csv/tsv: flat rows (section, key, value).
void print_stats_rows(const query::Stats& st, OutputFormat format) {
  {
    Table t{{"section", "key", "value"}, {}, {false, false, true}};
    auto add = [&](const std::string& sec, const std::string& key, std::int64_t v) {
      t.rows.push_back({sec, key, std::to_string(v)});
    };
    add("totals", "observations", st.observations);
    add("totals", "files", st.files);
    add("totals", "missing_files", st.missing_files);
    add("totals", "reduced", st.reduced);
    add("totals", "groups", st.groups);
    add("totals", "edges", st.edges);
    add("totals", "failed_ingests", st.failed_ingests);
    if (st.db_size) add("totals", "db_size", *st.db_size);
    for (const auto& r : st.groups_per_type) add("groups_per_type", r.key, r.count);
    for (const auto& r : st.edges_per_type) add("edges_per_type", r.key, r.count);
    for (const auto& r : st.per_master) add("per_master", r.key, r.count);
    for (const auto& r : st.per_kind) add("per_kind", r.key, r.count);
    for (const auto& r : st.per_night) add("per_night", r.night, r.observations);
    for (const auto& r : st.networks) {
      add("network_files", r.interface, r.files);
      add("network_missing", r.interface, r.missing);
    }
    print_table(cli::out(), t, format);
  }
}

// Served with --watch: what the watcher is doing (docs/SERVER.md "Watching").
void print_watch_table(const json& w) {
  std::vector<std::pair<std::string, std::string>> kv;
  for (const auto& r : w["roots"]) kv.push_back({"watching", fmt::format("{} ({})", r["root"].get<std::string>(), r["mode"].get<std::string>())});
  if (w["site_db"].is_object()) kv.push_back({"site database", w["site_db"]["source"].get<std::string>()});
  kv.push_back({"files pending", std::to_string(w["files_pending"].get<std::int64_t>())});
  kv.push_back({"incomplete observations", std::to_string(w["observations_incomplete"].get<std::int64_t>())});
  kv.push_back({"files registered", std::to_string(w["files_ingested"].get<std::int64_t>())});
  kv.push_back({"last event", w["last_event"].is_string() ? w["last_event"].get<std::string>() : "-"});
  kv.push_back({"lag", fmt::format("{:.3f} s", w["lag_s"].get<double>())});
  kv.push_back({"errors", std::to_string(w["errors"].get<std::int64_t>())});
  cli::out() << "\nwatcher:\n";
  print_key_values(cli::out(), kv);
}

void print_stats_table(const query::Stats& st) {
  print_key_values(cli::out(),
                   {{"observations", std::to_string(st.observations)},
                    {"files", fmt::format("{} ({} missing)", st.files, st.missing_files)},
                    {"reduced", std::to_string(st.reduced)},
                    {"groups", std::to_string(st.groups)},
                    {"edges", std::to_string(st.edges)},
                    {"failed ingests", std::to_string(st.failed_ingests)},
                    {"span", st.first_start ? fmt::format("{} .. {}", iso(st.first_start), iso(st.last_start))
                                            : std::string("-")},
                    {"database size", st.db_size ? human_bytes(double(*st.db_size)) : std::string("(in memory)")}});
  auto counts = [](const char* what, const std::vector<query::CountRow>& rows) {
    if (rows.empty()) return;
    cli::out() << '\n';
    Table t{{what, "count"}, {}, {false, true}};
    for (const auto& r : rows) t.rows.push_back({r.key, std::to_string(r.count)});
    print_table(cli::out(), t, OutputFormat::table);
  };
  counts("master", st.per_master);
  counts("kind", st.per_kind);
  counts("group type", st.groups_per_type);
  counts("edge type", st.edges_per_type);
  if (!st.per_night.empty()) {
    cli::out() << '\n';
    Table t{{"night", "observations"}, {}, {false, true}};
    for (const auto& n : st.per_night) t.rows.push_back({n.night, std::to_string(n.observations)});
    print_table(cli::out(), t, OutputFormat::table);
  }
  if (!st.networks.empty()) {
    cli::out() << '\n';
    Table t{{"interface", "files", "missing"}, {}, {false, true, true}};
    for (const auto& n : st.networks)
      t.rows.push_back(
          {n.interface, std::to_string(n.files), std::to_string(n.missing)});
    print_table(cli::out(), t, OutputFormat::table);
  }
  if (!st.recent_failures.empty()) {
    cli::out() << "\nrecent failed ingests:\n";
    Table t{{"time", "subject", "message"}, {}, {}};
    t.whole = {true, true, false};
    t.wrap_last = true;
    for (const auto& f : st.recent_failures) t.rows.push_back({iso(f.time), clean(f.subject), clean(f.message)});
    print_table(cli::out(), t, OutputFormat::table);
  }
}

void run_stats(const StatsCli& o) {
  const auto format = o.out.resolve();
  auto s = open_registry(o.db, storage::OpenMode::ReadOnly);
  const auto st = s->query().stats();
  const json server = cli::console().server_status();
  if (format == OutputFormat::json) return print_stats_json(st, server);
  if (format != OutputFormat::table) return print_stats_rows(st, format);
  print_stats_table(st);
  if (server.contains("watch")) print_watch_table(server["watch"]);
}

}  // namespace

void register_stats(CLI::App& q) {
  auto o = std::make_shared<StatsCli>();
  auto* cmd = q.add_subcommand("stats", "Totals, per master/kind/night, network coverage, missing files, failures");
  add_db_options(cmd, o->db);
  add_format_options(cmd, o->out);
  set_examples(cmd, "  tolteca_db query stats\n  tolteca_db query stats --json > stats.json\n  tolteca_db query stats --format csv\n");
  cmd->callback([o] { run_stats(*o); });
}

}  // namespace tolteca::cli
