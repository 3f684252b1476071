#pragma once
// Shared by the `query …` commands (cmd_query_<name>.cpp): value formatting, the SPEC arguments,
// limits, and the observation and file rows as JSON objects (docs/OUTPUT.md) and tables.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/output.h"
#include "model/data_kind.h"
#include "model/query_types.h"
#include "model/time.h"

namespace tolteca::cli {

std::string iso(const std::optional<UnixMicros>& t);        // "" when none
nlohmann::json iso_json(const std::optional<UnixMicros>& t);  // null when none
template <typename T>
nlohmann::json opt_json(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
std::string opt_text(const std::optional<std::string>& v);
std::string tau_text(const std::optional<double>& v);  // 3 decimals, "" when none
nlohmann::json kinds_json(DataKindBits b);             // ["VnaSweep", ...]
std::string joined(const std::vector<std::string>& v, const char* sep = ",");
// Cells never carry line breaks (one row per line in every text format).
std::string clean(std::string s);

// Empty results: exit 0; `[]` in JSON, the header in CSV/TSV, a short message for humans (stdout
// on a TTY, stderr otherwise so pipes stay clean).
void print_empty(OutputFormat fmt, const Table& header_only, const std::string& message);
// The time option's value (model/time_arg.h forms); nullopt when empty. option: for the message.
std::optional<UnixMicros> parse_time_option(const std::string& text, const char* option);

// CLI11 reads an argument "[a,b]" of a vector option as a list literal ("[]" = nothing);
// specs need those characters verbatim, so they are the subcommand's extra positional arguments.
void accept_specs(CLI::App* cmd, bool required);
std::vector<std::string> take_specs(CLI::App* cmd, bool required);
// "a,b" "c" -> {"a", "b", "c"}: comma-separated or repeated option values.
std::vector<std::string> split_list(const std::vector<std::string>& items);
// --obsnum N (the seed's option): the spec "N"; it does not combine with specs.
std::vector<std::string> with_obsnum(std::vector<std::string> specs, const std::optional<std::int64_t>& obsnum);
// `query obs --limit`: given -> it (0 = all); else 20 for a table (the seed's default), all otherwise.
std::optional<std::int64_t> effective_limit(const std::optional<std::int64_t>& limit, OutputFormat format);

nlohmann::json file_json(const query::FileRow& f);
Table files_table(const std::vector<query::FileRow>& files);
nlohmann::json obs_json(const query::ObsRow& o, bool with_files);
// human: the terminal columns; else every field (csv/tsv).
Table obs_table(const std::vector<query::ObsRow>& rows, bool human);

void register_obs(CLI::App& q);
void register_files(CLI::App& q);
void register_groups(CLI::App& q);
void register_export(CLI::App& q);
void register_stats(CLI::App& q);
void register_provenance(CLI::App& q);

}  // namespace tolteca::cli
