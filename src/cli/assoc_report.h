#pragma once
// The association reports on stdout (and their messages on stderr): one
// renderer per report, each with its JSON and its text form. The counts of a
// report (assoc::ChangeCounts) are rendered by one helper for all of them.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "assoc/engine.h"
#include "assoc/named.h"
#include "assoc/report_json.h"
#include "cli/output.h"

namespace tolteca::cli {

// `assoc generate`.
void print_generate(const assoc::GenerateReport& r, bool json);
// The summary of a generation inside `ingest ... --with-associations --json`: assoc/report_json.h.
using assoc::generate_summary_json;
// `assoc generate --limit N`: the one-batch stream that ran it.
void print_generate_limited(const assoc::StreamReport& r, std::int64_t limit, bool dry_run, bool json);
// `assoc stream`: the text table's header, one row per batch (as it ends),
// then the whole report (JSON, or the text's last line).
void print_stream_header();
void print_batch_row(const assoc::BatchReport& b);
void print_stream(const assoc::StreamReport& r, bool json);
// `assoc state`.
void print_state_info(const assoc::StateInfo& info, OutputFormat format);
// `assoc group create|add|remove` (verb: "created", "updated").
void print_named_group_change(const assoc::NamedGroupChange& c, bool json, const char* verb);
// `assoc group list` (with_members: the table form lists them).
void print_named_groups(const std::vector<assoc::NamedGroupInfo>& groups, OutputFormat format, bool with_members);

}  // namespace tolteca::cli
