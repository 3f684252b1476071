// Shared by the `query …` commands: value formatting, spec arguments, limits, rows as JSON/tables.
#include <fmt/format.h>

#include <iostream>
#include <sstream>

#include "cli/common.h"
#include "cli/help_format.h"
#include "cli/query_common.h"
#include "model/split.h"
#include "cli/suggest.h"
#include "model/error.h"
#include "model/query_types.h"
#include "model/time_arg.h"
#include "query/coverage.h"
#include "query/spec.h"
#include "storage/registry.h"

namespace tolteca::cli {

using nlohmann::json;

std::string iso(const std::optional<UnixMicros>& t) { return t ? format_iso8601(*t) : std::string(); }
json iso_json(const std::optional<UnixMicros>& t) { return t ? json(format_iso8601(*t)) : json(nullptr); }
std::string opt_text(const std::optional<std::string>& v) { return v.value_or(""); }
std::string tau_text(const std::optional<double>& v) { return v ? fmt::format("{:.3f}", *v) : std::string(); }

json kinds_json(DataKindBits b) {
  json arr = json::array();
  for (const auto& k : all_data_kinds())
    if (has(b, k.kind)) arr.push_back(std::string(k.name));
  return arr;
}

std::string joined(const std::vector<std::string>& v, const char* sep) { return fmt::format("{}", fmt::join(v, sep)); }

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
  for (const auto& item : items)
    for (auto& part : split_nonempty(item)) out.push_back(std::move(part));
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


}  // namespace tolteca::cli
