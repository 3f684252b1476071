// `tolteca_db query obs`: raw observations (docs/OUTPUT.md for the JSON keys).
#include <fmt/format.h>

#include <iostream>
#include <set>
#include <sstream>

#include "cli/common.h"
#include "cli/console.h"
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

// The observations the server's watcher (serve --watch) is still waiting for files of: not complete
// yet (docs/SERVER.md). Empty when no server runs or it does not watch.
std::set<std::string> held_by_watcher() {
  std::set<std::string> uids;
  const json status = cli::console().server_status();
  if (status.contains("watch") && status["watch"].contains("incomplete"))
    for (const auto& u : status["watch"]["incomplete"]) uids.insert(u.get<std::string>());
  return uids;
}

json obs_json_with_complete(const query::ObsRow& row, bool with_files, const std::set<std::string>& held) {
  json j = obs_json(row, with_files);
  j["complete"] = held.count(row.uid) == 0;
  return j;
}

// --incomplete: keeps the observations missing networks of their night (query/coverage.h) or held by
// the watcher, then at most `limit`.
void keep_incomplete(storage::Registry& s, std::vector<query::ObsRow>& rows, std::vector<std::vector<int>>& missing,
                     const std::optional<std::int64_t>& limit, const std::set<std::string>& held) {
  const auto nights = s.query().night_networks();
  std::vector<query::ObsRow> kept;
  for (auto& r : rows) {
    if (limit && static_cast<std::int64_t>(kept.size()) >= *limit) break;
    auto m = query::missing_networks(r, nights);
    if (m.empty() && held.count(r.uid) == 0) continue;
    missing.push_back(std::move(m));
    kept.push_back(std::move(r));
  }
  rows = std::move(kept);
}

// Inserts a text column `name` at index `at`.
void add_column(Table& t, std::size_t at, const std::string& name, const std::vector<std::string>& values) {
  auto ins = [at](auto& v, auto x) {
    if (v.size() >= at) v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), x);
  };
  ins(t.columns, name);
  ins(t.numeric, false);
  ins(t.whole, false);
  for (auto& d : t.drop_order)
    if (d >= static_cast<int>(at)) ++d;
  for (std::size_t i = 0; i < t.rows.size(); ++i) ins(t.rows[i], values[i]);
}

// --incomplete's columns: "missing_networks" (compressed) and "complete" ("no" while the watcher
// waits for files of it), at index `at`.
void add_incomplete_columns(Table& t, std::size_t at, const std::vector<query::ObsRow>& rows,
                            const std::vector<std::vector<int>>& missing, const std::set<std::string>& held) {
  std::vector<std::string> nets, complete;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    nets.push_back(query::compress_numbers(missing[i]));
    complete.push_back(held.count(rows[i].uid) ? "no" : "yes");
  }
  add_column(t, at, "complete", complete);
  add_column(t, at, "missing_networks", nets);
}


struct ObsCli {
  DbOptions db;
  FormatOptions out;
  std::vector<std::string> kinds;
  std::string master, goal, source, project, since, until, arrived_since, sort = "start";
  std::optional<std::int64_t> limit, obsnum;
  bool files = false, newest = false, incomplete = false;
};

query::ObsFilter obs_filter(const ObsCli& opts, CLI::App* cmd) {
  const ObsCli* o = &opts;
  query::ObsFilter f;
  f.specs = query::parse_specs(with_obsnum(take_specs(cmd, false), o->obsnum));
  if (!o->master.empty()) {
    f.master = parse_master(o->master);
    if (!f.master) throw UserError(fmt::format("--master '{}': expected tcs, ics or clip", o->master));
  }
  for (const auto& k : split_list(o->kinds)) {
    auto b = parse_data_kind(k);
    if (!b)
      throw UserError(fmt::format("--kind '{}': expected VnaSweep, TargetSweep, Tune, RawTimeStream, LmtTel or "
                                  "RawSweep",
                                  k));
    f.kinds |= *b;
  }
  if (!o->goal.empty()) f.goal = o->goal;
  if (!o->source.empty()) f.source = o->source;
  if (!o->project.empty()) f.project = o->project;
  f.since = parse_time_option(o->since, "--since");
  f.until = parse_time_option(o->until, "--until");
  f.arrived_since = parse_time_option(o->arrived_since, "--arrived-since");
  f.sort = o->sort == "obsnum" ? query::ObsSort::obsnum : query::ObsSort::start;
  f.newest = o->newest;
  return f;
}

// JSON without --incomplete: the rows stream out as the registry gives them (any number of them).
void stream_obs_json(storage::Registry& s, const query::ObsFilter& f, bool with_files,
                     const std::optional<std::int64_t>& shown) {
  const auto held = held_by_watcher();
  JsonArrayPrinter printer(cli::out());
  s.query().obs(f, with_files, [&](query::ObsRow&& row) {
    if (shown && static_cast<std::int64_t>(printer.count()) >= *shown) return false;  // the one fetched to see "more"
    printer.add(obs_json_with_complete(row, with_files, held));
    return true;
  });
  printer.finish();
}

void run_obs(const ObsCli& opts, CLI::App* cmd) {
  const ObsCli* o = &opts;
  query::ObsFilter f = obs_filter(opts, cmd);
  auto format = o->out.resolve();
  const auto shown = effective_limit(o->limit, format);
  // One more than shown tells whether there are more; --incomplete applies the limit after its filter.
  const std::optional<std::int64_t> fetch = shown ? std::optional<std::int64_t>(*shown + 1) : std::nullopt;
  if (!o->incomplete) f.limit = fetch;
  auto s = open_registry(o->db, storage::OpenMode::ReadOnly);
  if (format == OutputFormat::json && !o->incomplete) return stream_obs_json(*s, f, o->files, shown);
  auto rows = s->query().obs_all(f, o->files);
  std::vector<std::vector<int>> missing;
  const auto held = held_by_watcher();
  if (o->incomplete) keep_incomplete(*s, rows, missing, fetch, held);
  const bool more = shown && static_cast<std::int64_t>(rows.size()) > *shown;
  if (more) {
    rows.resize(static_cast<std::size_t>(*shown));
    if (o->incomplete) missing.resize(rows.size());
  }
  if (rows.empty()) {
    print_empty(format, obs_table({}, false), o->incomplete ? "no incomplete observations match"
                                                             : "no observations match");
    return;
  }
  if (format == OutputFormat::json) {
    json arr = json::array();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      arr.push_back(obs_json_with_complete(rows[i], o->files, held));
      if (o->incomplete) arr.back()["missing_networks"] = query::compress_numbers(missing[i]);
    }
    print_json(cli::out(), arr);
    return;
  }
  if (format != OutputFormat::table) {
    if (o->files) {
      std::vector<query::FileRow> files;
      for (const auto& r : rows) files.insert(files.end(), r.files.begin(), r.files.end());
      print_table(cli::out(), files_table(files), format);
    } else {
      auto t = obs_table(rows, false);
      if (o->incomplete) add_incomplete_columns(t, 9, rows, missing, held);
      print_table(cli::out(), t, format);
    }
    return;
  }
  auto t = obs_table(rows, true);
  if (o->incomplete) add_incomplete_columns(t, 4, rows, missing, held);
  if (o->files)
    for (const auto& r : rows) {
      std::vector<std::string> lines;
      for (const auto& f : r.files)
        lines.push_back(fmt::format("{}{}", f.path, f.availability == "missing" ? "  (missing)" : ""));
      t.details.push_back(std::move(lines));
    }
  print_table(cli::out(), t, OutputFormat::table);
  if (stdout_is_tty()) cli::out() << fmt::format("{} observation(s)\n", rows.size());
  if (more && !o->limit)
    cli::err() << fmt::format("tolteca_db: showing the first {} observations; --limit N (0: all) for more\n", *shown);
}

}  // namespace

void register_obs(CLI::App& q) {
  auto o = std::make_shared<ObsCli>();
  auto* cmd = q.add_subcommand("obs", "Raw observations: quartet, start, kinds, networks, files, goal, groups, cal");
  accept_specs(cmd, false);
  add_db_options(cmd, o->db);
  cmd->add_option("--master", o->master, "Only this master: tcs, ics or clip");
  cmd->add_option("--kind", o->kinds, "Only observations with any of these kinds (VnaSweep,TargetSweep,Tune,"
                                      "RawTimeStream,LmtTel,RawSweep); comma-separated or repeated")
      ->allow_extra_args(false);
  cmd->add_option("--goal", o->goal, "Only this ObsGoal (focus, astig, science, pointing, …; any case)");
  cmd->add_option("--source", o->source, "Only this source name (any case)");
  cmd->add_option("--project", o->project, "Only this project id (any case)");
  cmd->add_option("--since", o->since, std::string("Start time >= T: ") + time_arg_forms());
  cmd->add_option("--until", o->until, "Start time < T (same forms as --since)");
  cmd->add_option("--arrived-since", o->arrived_since,
                  "Only observations with a file recorded (ingested) at or after T (same forms as --since)");
  cmd->add_flag("--incomplete", o->incomplete,
                "Only observations missing networks: those other observations of the same master recorded that "
                "UT night (adds the missing networks)");
  cmd->add_option("--obsnum", o->obsnum, "Only this obsnum (same as the spec N; the seed's option)");
  cmd->add_option("--limit,-n", o->limit,
                  "At most N observations (0: all). Default on a terminal table: 20 (the seed's), with a note when "
                  "more match; json/csv/tsv: all");
  cmd->add_option("--sort", o->sort, "Order: start (sequence order, default) or obsnum")
      ->check(CLI::IsMember({"start", "obsnum"}));
  cmd->add_flag("--newest,--reverse", o->newest, "Newest (highest) first; with --limit N: the last N");
  cmd->add_flag("--files", o->files, "Add one line per file (absolute path resolved against its location)");
  add_format_options(cmd, o->out);
  set_examples(cmd,
               "  tolteca_db query obs ics-18343\n"
               "  tolteca_db query obs 'tcs-131289-0-{2,3}' --files\n"
               "  tolteca_db query obs --kind VnaSweep,Tune --since 2024-11-13 --limit 20\n"
               "  tolteca_db query obs --goal focus --sort obsnum --json\n"
               "  tolteca_db query obs --since yesterday\n"
               "  tolteca_db query obs latest/7 --format csv\n"
               "  tolteca_db query obs --newest --limit 5\n"
               "  tolteca_db query obs --incomplete\n"
               "  tolteca_db query obs --arrived-since -2h\n");
  cmd->callback([o, cmd] { run_obs(*o, cmd); });
}

}  // namespace tolteca::cli
