// `tolteca_db query …`: obs, files, groups, export, stats, provenance.
// Parses arguments, calls db/query_repo.h, prints. JSON keys: docs/OUTPUT.md.
#include <fmt/format.h>

#include <iostream>
#include <sstream>

#include "cli/common.h"
#include "cli/suggest.h"
#include "cli/help_format.h"
#include "storage/registry.h"
#include "model/error.h"
#include "model/time_arg.h"
#include "query/coverage.h"
#include "model/query_types.h"
#include "query/spec.h"

namespace tolteca::cli {

namespace {

using nlohmann::json;

std::string iso(const std::optional<UnixMicros>& t) { return t ? format_iso8601(*t) : std::string(); }
json iso_json(const std::optional<UnixMicros>& t) { return t ? json(format_iso8601(*t)) : json(nullptr); }
template <typename T>
json opt_json(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}
std::string opt_text(const std::optional<std::string>& v) { return v.value_or(""); }
std::string tau_text(const std::optional<double>& v) { return v ? fmt::format("{:.3f}", *v) : std::string(); }

json kinds_json(DataKindBits b) {
  json arr = json::array();
  for (const auto& k : all_data_kinds())
    if (has(b, k.kind)) arr.push_back(std::string(k.name));
  return arr;
}

std::string joined(const std::vector<std::string>& v, const char* sep = ",") { return fmt::format("{}", fmt::join(v, sep)); }

// Cells never carry line breaks (one row per line in every text format).
std::string clean(std::string s) {
  for (auto& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return s;
}

// Empty results: exit 0; `[]` in JSON, the header in CSV/TSV, a short message
// for humans (stdout on a TTY, stderr otherwise so pipes stay clean).
void print_empty(OutputFormat fmt, const Table& header_only, const std::string& message) {
  if (fmt == OutputFormat::json) {
    print_json(cli::out(), json::array());
  } else if (fmt == OutputFormat::table) {
    (stdout_is_tty() ? cli::out() : cli::err()) << message << '\n';
  } else {
    print_table(cli::out(), header_only, fmt);
  }
}

std::optional<UnixMicros> parse_time_option(const std::string& text, const char* option) {
  if (text.empty()) return std::nullopt;
  return parse_time_option_or_throw(text, option);
}

// CLI11 reads an argument "[a,b]" of a vector option as a list literal
// ("[]" = nothing, "[0:10]" = "0:10"); specs need those characters verbatim.
// So specs are the subcommand's extra positional arguments, taken as given.
void accept_specs(CLI::App* cmd, bool required) {
  cmd->allow_extras();
  set_usage_extra(cmd, required ? "SPEC..." : "[SPEC...]");
  cmd->description(cmd->get_description() +
                   (required ? "\n  SPEC… (required): observation specs, e.g. 18366 ics-18366-[0:10] '[]/7' latest"
                             : "\n  [SPEC…]: observation specs, e.g. 18366 ics-18366-[0:10] '[]/7' latest"));
}
std::vector<std::string> take_specs(CLI::App* cmd, bool required) {
  std::vector<std::string> specs = cmd->remaining();
  for (const auto& a : specs)
    if (!a.empty() && a[0] == '-')
      throw UserError(unknown_option_message(*cmd, "tolteca_db query " + cmd->get_name(), a));
  if (required && specs.empty())
    throw UserError(fmt::format("'query {}' needs at least one observation spec ('[]' for all)", cmd->get_name()));
  return specs;
}

std::vector<std::string> split_list(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    std::size_t start = 0;
    while (start <= item.size()) {
      auto end = item.find(',', start);
      if (end == std::string::npos) end = item.size();
      if (end > start) out.push_back(item.substr(start, end - start));
      start = end + 1;
    }
  }
  return out;
}

// --obsnum N (the seed's option): the spec "N"; it does not combine with specs.
std::vector<std::string> with_obsnum(std::vector<std::string> specs, const std::optional<std::int64_t>& obsnum) {
  if (!obsnum) return specs;
  if (!specs.empty()) throw UserError("give either observation specs or --obsnum, not both");
  if (*obsnum < 0) throw UserError(fmt::format("--obsnum {}: must not be negative", *obsnum));
  return {std::to_string(*obsnum)};
}

// `query obs --limit`: given -> it (0 = all); else 20 for a table (the seed's default), all otherwise.
std::optional<std::int64_t> effective_limit(const std::optional<std::int64_t>& limit, OutputFormat format) {
  if (limit) {
    if (*limit < 0) throw UserError("--limit must not be negative");
    return *limit == 0 ? std::nullopt : limit;
  }
  if (format == OutputFormat::table) return 20;
  return std::nullopt;
}

// ---- query obs -------------------------------------------------------------

json file_json(const query::FileRow& f) {
  return {{"obs_uid", f.obs_uid},     {"interface", f.interface},
          {"roach", opt_json(f.roach)}, {"data_kind", f.data_kind},
          {"kinds", kinds_json(f.data_kind)}, {"is_raw", f.is_raw},
          {"availability", f.availability}, {"location", f.location},
          {"path", f.path},           {"rel_path", f.rel_path},
          {"size", opt_json(f.size)}, {"file_time", iso_json(f.file_time)},
          {"problem", opt_json(f.problem)}};
}

Table files_table(const std::vector<query::FileRow>& files) {
  Table t{{"obs_uid", "interface", "roach", "kinds", "is_raw", "availability", "location", "path", "size", "file_time",
           "problem"},
          {},
          {false, false, true, false, false, false, false, false, true, false, false}};
  for (const auto& f : files)
    t.rows.push_back({f.obs_uid, f.interface, f.roach ? std::to_string(*f.roach) : "", data_kind_names(f.data_kind),
                      f.is_raw ? "true" : "false", f.availability, f.location, clean(f.path),
                      f.size ? std::to_string(*f.size) : "", iso(f.file_time), clean(opt_text(f.problem))});
  return t;
}

json obs_json(const query::ObsRow& o, bool with_files) {
  json j{{"uid", o.uid},
         {"master", o.master},
         {"obsnum", o.obsnum},
         {"subobsnum", o.subobsnum},
         {"scannum", o.scannum},
         {"start_time", iso_json(o.start_time)},
         {"data_kind", o.data_kind},
         {"kinds", kinds_json(o.data_kind)},
         {"networks", query::compress_numbers(o.networks)},
         {"interfaces", o.interfaces},
         {"n_files", o.n_files},
         {"n_missing", o.n_missing},
         {"obs_goal", opt_json(o.obs_goal)},
         {"source_name", opt_json(o.source_name)},
         {"project_id", opt_json(o.project_id)},
         {"obs_pgm", opt_json(o.obs_pgm)},
         {"tau", opt_json(o.tau)},
         {"groups", o.groups},
         {"cal", o.cal}};
  if (with_files) {
    json files = json::array();
    for (const auto& f : o.files) files.push_back(file_json(f));
    j["files"] = files;
  }
  return j;
}

Table obs_table(const std::vector<query::ObsRow>& rows, bool human) {
  Table t;
  if (human) {
    t.columns = {"obs", "start (UT)", "kinds", "networks", "files", "goal", "source", "tau", "groups", "cal"};
    t.numeric = {false, false, false, false, true, false, false, true, false, false};
    // uid and time stay whole; the rest goes when the terminal is narrow, least useful first.
    t.whole = {true, true, false, false, false, false, false, false, false, false};
    t.drop_order = {9, 8, 7, 6, 3, 5, 4, 2};
  } else {
    t.columns = {"uid",   "master",    "obsnum",      "subobsnum", "scannum",  "start_time", "data_kind",
                 "kinds", "networks",  "interfaces",  "n_files",   "n_missing", "obs_goal",  "source_name",
                 "project_id", "obs_pgm", "tau",      "groups",    "cal"};
    t.numeric = {false, false, true, true, true, false, true, false, false, false, true, true, false, false,
                 false, false, true, false, false};
  }
  for (const auto& o : rows) {
    std::string files = std::to_string(o.n_files);
    if (human && o.n_missing) files += fmt::format(" ({} missing)", o.n_missing);
    if (human)
      t.rows.push_back({o.uid, iso(o.start_time), data_kind_names(o.data_kind), query::compress_numbers(o.networks),
                        files, opt_text(o.obs_goal), clean(opt_text(o.source_name)), tau_text(o.tau),
                        clean(joined(o.groups)), joined(o.cal)});
    else
      t.rows.push_back({o.uid, o.master, std::to_string(o.obsnum), std::to_string(o.subobsnum),
                        std::to_string(o.scannum), iso(o.start_time), std::to_string(o.data_kind),
                        data_kind_names(o.data_kind), query::compress_numbers(o.networks), joined(o.interfaces),
                        std::to_string(o.n_files), std::to_string(o.n_missing), opt_text(o.obs_goal),
                        clean(opt_text(o.source_name)), clean(opt_text(o.project_id)), clean(opt_text(o.obs_pgm)),
                        o.tau ? fmt::format("{}", *o.tau) : "", clean(joined(o.groups, ";")), joined(o.cal, ";")});
  }
  return t;
}

// --incomplete: keeps the observations missing networks (query/coverage.h), then at most `limit`.
void keep_incomplete(storage::Registry& s, std::vector<query::ObsRow>& rows, std::vector<std::vector<int>>& missing,
                     const std::optional<std::int64_t>& limit) {
  const auto nights = s.query().night_networks();
  std::vector<query::ObsRow> kept;
  for (auto& r : rows) {
    if (limit && static_cast<std::int64_t>(kept.size()) >= *limit) break;
    auto m = query::missing_networks(r, nights);
    if (m.empty()) continue;
    missing.push_back(std::move(m));
    kept.push_back(std::move(r));
  }
  rows = std::move(kept);
}

// Inserts a "missing_networks" column (compressed) at index `at`.
void add_missing_column(Table& t, std::size_t at, const std::vector<std::vector<int>>& missing) {
  auto ins = [at](auto& v, auto x) {
    if (v.size() >= at) v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), x);
  };
  ins(t.columns, std::string("missing_networks"));
  ins(t.numeric, false);
  ins(t.whole, false);
  for (auto& d : t.drop_order)
    if (d >= static_cast<int>(at)) ++d;
  for (std::size_t i = 0; i < t.rows.size(); ++i) ins(t.rows[i], query::compress_numbers(missing[i]));
}

void register_obs(CLI::App& q) {
  struct Opts {
    DbOptions db;
    FormatOptions out;
    std::vector<std::string> kinds;
    std::string master, goal, source, project, since, until, arrived_since, sort = "start";
    std::optional<std::int64_t> limit, obsnum;
    bool files = false, newest = false, incomplete = false;
  };
  auto o = std::make_shared<Opts>();
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
  cmd->callback([o, cmd] {
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
    auto format = o->out.resolve();
    const auto shown = effective_limit(o->limit, format);
    // One more than shown tells whether there are more; --incomplete applies the limit after its filter.
    const std::optional<std::int64_t> fetch = shown ? std::optional<std::int64_t>(*shown + 1) : std::nullopt;
    if (!o->incomplete) f.limit = fetch;
    auto s = open_registry(o->db, storage::OpenMode::ReadOnly);
    auto rows = s->query().obs_all(f, o->files);
    std::vector<std::vector<int>> missing;
    if (o->incomplete) keep_incomplete(*s, rows, missing, fetch);
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
        arr.push_back(obs_json(rows[i], o->files));
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
        if (o->incomplete) add_missing_column(t, 9, missing);
        print_table(cli::out(), t, format);
      }
      return;
    }
    auto t = obs_table(rows, true);
    if (o->incomplete) add_missing_column(t, 4, missing);
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
  });
}

// ---- query files -----------------------------------------------------------

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
    auto files = s->query().files_all(f);
    if (files.empty()) {
      print_empty(format, files_table({}), o->missing ? "no missing files match" : "no files match");
      return;
    }
    if (format == OutputFormat::json) {
      json arr = json::array();
      for (const auto& r : files) arr.push_back(file_json(r));
      print_json(cli::out(), arr);
    } else if (format == OutputFormat::table) {
      for (const auto& r : files) cli::out() << r.path << '\n';
    } else {
      print_table(cli::out(), files_table(files), format);
    }
  });
}

// ---- query groups ----------------------------------------------------------

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

// ---- query export ----------------------------------------------------------

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

// ---- query stats -----------------------------------------------------------

json counts_json(const std::vector<query::CountRow>& rows) {
  json j = json::object();
  for (const auto& r : rows) j[r.key] = r.count;
  return j;
}

void register_stats(CLI::App& q) {
  struct Opts {
    DbOptions db;
    FormatOptions out;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = q.add_subcommand("stats", "Totals, per master/kind/night, network coverage, missing files, failures");
  add_db_options(cmd, o->db);
  add_format_options(cmd, o->out);
  set_examples(cmd, "  tolteca_db query stats\n  tolteca_db query stats --json > stats.json\n  tolteca_db query stats --format csv\n");
  cmd->callback([o, cmd] {
    auto format = o->out.resolve();
    auto s = open_registry(o->db, storage::OpenMode::ReadOnly);
    auto st = s->query().stats();
    if (format == OutputFormat::json) {
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
      print_json(cli::out(), {{"observations", st.observations},
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
                             {"recent_failures", fails}});
      return;
    }
    if (format != OutputFormat::table) {
      // Flat rows: section, key, value.
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
      return;
    }
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
  });
}

// ---- query provenance ------------------------------------------------------

void register_provenance(CLI::App& q) {
  struct Opts {
    DbOptions db;
    FormatOptions out;
    std::int64_t limit = 100;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = q.add_subcommand("provenance", "The graph around an observation: groups, cal chain, reduced products");
  accept_specs(cmd, true);
  add_db_options(cmd, o->db);
  cmd->add_option("--limit", o->limit, "At most N observations")->capture_default_str();
  add_format_options(cmd, o->out);
  set_examples(cmd,
               "  tolteca_db query provenance ics-18343-0-0\n"
               "  tolteca_db query provenance tcs-131289-0-2 --json\n"
               "  tolteca_db query provenance latest\n");
  cmd->callback([o, cmd] {
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
  });
}

}  // namespace

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
