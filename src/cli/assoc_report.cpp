#include "cli/assoc_report.h"
#include "cli/console.h"

#include <fmt/format.h>

#include <iostream>

#include "model/time.h"

namespace tolteca::cli {

namespace {

using nlohmann::json;
using assoc::counts_json;

json null_if_empty(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

// "3 groups created, 1 updated, 0 deleted[, 5 unchanged]; 12 edges written, 0 removed".
std::string counts_text(const assoc::ChangeCounts& c, bool with_unchanged) {
  return fmt::format("{} groups created, {} updated, {} deleted{}; {} edges written, {} removed", c.groups_created,
                     c.groups_updated, c.groups_deleted,
                     with_unchanged ? fmt::format(", {} unchanged", c.groups_unchanged) : "", c.edges_added,
                     c.edges_removed);
}

json batch_json(const assoc::BatchReport& b) {
  json j{{"index", b.index},         {"observations", b.observations}, {"considered", b.considered},
         {"watermark", b.watermark}, {"committed", b.committed},       {"elapsed_s", b.elapsed_s}};
  j.update(counts_json(b, false));
  return j;
}

// The changed groups by name: "grown  cal_group  ics-18341-g3-cal -> ics-18341-g4-cal  (3 -> 4)".
void print_changes(const std::vector<assoc::GroupChange>& changes) {
  if (changes.empty()) return;
  constexpr std::size_t kShown = 50;
  Table t{{"change", "type", "group", "members"}, {}, {false, false, false, false}};
  t.whole = {true, true, true, false};
  for (std::size_t i = 0; i < changes.size() && i < kShown; ++i) {
    const auto& c = changes[i];
    std::string name = c.old_name.empty() || c.old_name == c.name ? c.name : c.old_name + " -> " + c.name;
    std::string n = c.change == "created"   ? std::to_string(c.n_items)
                    : c.change == "deleted" ? std::to_string(c.old_n_items)
                                            : fmt::format("{} -> {}", c.old_n_items, c.n_items);
    t.rows.push_back({c.change, c.type, name, n});
  }
  cli::out() << '\n';
  print_table(cli::out(), t, OutputFormat::table);
  if (changes.size() > kShown) cli::out() << fmt::format("… and {} more (see --json)\n", changes.size() - kShown);
  cli::out() << '\n';
}

}  // namespace

void print_generate(const assoc::GenerateReport& r, bool json_out) {
  if (json_out) {
    print_json(cli::out(), assoc::generate_json(r));
    return;
  }
  for (const auto& m : r.messages) cli::err() << "tolteca_db: " << m << '\n';
  cli::out() << fmt::format("assoc generate: {}{}\n", r.mode, r.dry_run ? " (dry run: nothing written)" : "");
  cli::out() << fmt::format("observations: {} total, {} pending, {} considered\n", r.raw_obs_total, r.pending,
                           r.considered);
  Table t{{"type", "created", "updated", "deleted", "unchanged", "edges added", "edges removed"},
          {},
          {false, true, true, true, true, true, true}};
  for (const auto& rr : r.rules)
    t.rows.push_back({rr.type, std::to_string(rr.created), std::to_string(rr.updated), std::to_string(rr.deleted),
                      std::to_string(rr.unchanged), std::to_string(rr.edges_added), std::to_string(rr.edges_removed)});
  print_table(cli::out(), t, OutputFormat::table);
  print_changes(r.changes);
  cli::out() << fmt::format("{}; watermark {} -> {}; {:.3f} s\n", counts_text(r, true), r.watermark_before,
                           r.watermark_after, r.elapsed_s);
}

void print_generate_limited(const assoc::StreamReport& r, std::int64_t limit, bool dry_run, bool json_out) {
  assoc::ChangeCounts total;
  std::int64_t obs = 0;
  for (const auto& b : r.batches) {
    obs += b.observations;
    total += b;
  }
  if (json_out) {
    print_json(cli::out(), assoc::generate_limited_json(r, limit, dry_run));
    return;
  }
  if (!r.full_reason.empty()) cli::err() << "tolteca_db: full regeneration first (" << r.full_reason << ")\n";
  cli::out() << fmt::format("assoc generate --limit {}: {} observation(s) processed{}, {} still pending\n", limit, obs,
                           dry_run ? " (dry run: nothing written)" : "", r.remaining);
  cli::out() << fmt::format("{}; {:.3f} s\n", counts_text(total, false), r.elapsed_s);
}

void print_stream_header() {
  cli::out() << fmt::format("{:>6} {:>8} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>9}\n", "batch", "obs",
                           "considered", "created", "updated", "deleted", "edges+", "edges-", "watermark", "seconds");
}

void print_batch_row(const assoc::BatchReport& b) {
  cli::out() << fmt::format("{:>6} {:>8} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>9.3f}{}\n", b.index,
                           b.observations, b.considered, b.groups_created, b.groups_updated, b.groups_deleted,
                           b.edges_added, b.edges_removed, b.watermark, b.elapsed_s, b.committed ? " committed" : "");
  cli::out().flush();
}

void print_stream(const assoc::StreamReport& r, bool json_out) {
  if (json_out) {
    json j{{"remaining", r.remaining}, {"elapsed_s", r.elapsed_s}, {"full_reason", null_if_empty(r.full_reason)}};
    j["batches"] = json::array();
    for (const auto& b : r.batches) j["batches"].push_back(batch_json(b));
    print_json(cli::out(), j);
    return;
  }
  if (!r.full_reason.empty()) cli::err() << "tolteca_db: full regeneration first (" << r.full_reason << ")\n";
  cli::out() << fmt::format("{} batch(es), {} observation(s) still pending, {:.3f} s\n", r.batches.size(), r.remaining,
                           r.elapsed_s);
}

void print_state_info(const assoc::StateInfo& info, OutputFormat format) {
  Table t{{"type", "watermark", "pending", "stored"}, {}, {false, true, true, true}};
  for (const auto& r : info.rules)
    t.rows.push_back({r.type, r.watermark ? std::to_string(*r.watermark) : (format == OutputFormat::table ? "-" : ""),
                      std::to_string(r.pending), std::to_string(r.groups)});
  if (format == OutputFormat::csv || format == OutputFormat::tsv) return print_table(cli::out(), t, format);
  if (format == OutputFormat::json) {
    json j{{"backend", info.backend},
           {"location", info.location},
           {"exists", info.exists},
           {"mismatch", null_if_empty(info.mismatch)},
           {"raw_obs_total", info.raw_obs_total},
           {"max_ingest_seq", info.max_ingest_seq},
           {"state_bytes", info.state_bytes},
           {"updated_at", info.updated_at}};
    j["rules"] = json::array();
    for (const auto& r : info.rules)
      j["rules"].push_back({{"type", r.type},
                            {"watermark", r.watermark ? json(*r.watermark) : json(nullptr)},
                            {"pending", r.pending},
                            {"stored", r.groups}});
    print_json(cli::out(), j);
    return;
  }
  print_key_values(cli::out(),
                   {{"backend", info.backend},
                    {"location", info.location},
                    {"state", info.exists ? fmt::format("{} bytes, updated {}", info.state_bytes, info.updated_at)
                                          : std::string("none")},
                    {"raw observations", std::to_string(info.raw_obs_total)},
                    {"largest ingest_seq", std::to_string(info.max_ingest_seq)}});
  if (!info.mismatch.empty()) cli::out() << "note: " << info.mismatch << '\n';
  cli::out() << '\n';
  print_table(cli::out(), t, OutputFormat::table);
}

void print_named_group_change(const assoc::NamedGroupChange& c, bool json, const char* verb) {
  if (json) {
    print_json(cli::out(), assoc::named_group_change_json(c));
    return;
  }
  cli::out() << fmt::format("{} named group {}: {} matched, {} added, {} removed, {} member(s)\n", verb, c.name,
                           c.matched, c.added, c.removed, c.n_items);
}

void print_named_groups(const std::vector<assoc::NamedGroupInfo>& groups, OutputFormat format, bool with_members) {
  if (format == OutputFormat::csv || format == OutputFormat::tsv) {
    Table t{{"name", "n_items", "created_at", "updated_at", "members"}, {}, {false, true, false, false, false}};
    for (const auto& g : groups)
      t.rows.push_back({g.name, std::to_string(g.n_items), format_iso8601(g.created_at),
                        format_iso8601(g.updated_at), fmt::format("{}", fmt::join(g.members, ";"))});
    return print_table(cli::out(), t, format);
  }
  if (format == OutputFormat::json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& g : groups)
      arr.push_back({{"name", g.name},
                     {"n_items", g.n_items},
                     {"created_at", format_iso8601(g.created_at)},
                     {"updated_at", format_iso8601(g.updated_at)},
                     {"members", g.members}});
    print_json(cli::out(), arr);
    return;
  }
  Table t{{"name", "updated", "members"}, {}, {false, false, false}};
  t.whole = {true, true, false};
  t.wrap_last = true;
  for (const auto& g : groups) {
    std::string m = std::to_string(g.n_items);
    if (with_members && !g.members.empty()) {
      m += ":";
      for (const auto& u : g.members) m += " " + u;
    }
    t.rows.push_back({g.name, format_iso8601(g.updated_at), m});
  }
  print_table(cli::out(), t, OutputFormat::table);
}

}  // namespace tolteca::cli
