#include "assoc/report_json.h"

namespace tolteca::assoc {

namespace {

using nlohmann::json;

json null_if_empty(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json rule_json(const RuleReport& r) {
  return {{"type", r.type},           {"created", r.created},         {"updated", r.updated},
          {"deleted", r.deleted},     {"unchanged", r.unchanged},     {"edges_added", r.edges_added},
          {"edges_removed", r.edges_removed}, {"pending", r.pending}, {"considered", r.considered}};
}

json change_json(const GroupChange& c) {
  return {{"type", c.type}, {"change", c.change},   {"uid", c.uid},
          {"name", c.name}, {"old_name", null_if_empty(c.old_name)}, {"n_items", c.n_items},
          {"old_n_items", c.old_n_items}};
}

}  // namespace

json counts_json(const ChangeCounts& c, bool with_unchanged) {
  json j{{"groups_created", c.groups_created}, {"groups_updated", c.groups_updated},
         {"groups_deleted", c.groups_deleted}, {"edges_added", c.edges_added},
         {"edges_removed", c.edges_removed}};
  if (with_unchanged) j["groups_unchanged"] = c.groups_unchanged;
  return j;
}

json generate_summary_json(const GenerateReport& r) {
  json j{{"mode", r.mode},
         {"full_reason", null_if_empty(r.full_reason)},
         {"pending", r.pending},
         {"considered", r.considered},
         {"elapsed_s", r.elapsed_s}};
  j.update(counts_json(r, false));
  return j;
}

json generate_json(const GenerateReport& r) {
  json j = generate_summary_json(r);
  j.update(counts_json(r, true));
  j.update({{"dry_run", r.dry_run},
            {"raw_obs_total", r.raw_obs_total},
            {"watermark_before", r.watermark_before},
            {"watermark_after", r.watermark_after},
            {"messages", r.messages}});
  j["rules"] = json::array();
  for (const auto& rr : r.rules) j["rules"].push_back(rule_json(rr));
  j["changes"] = json::array();
  for (const auto& c : r.changes) j["changes"].push_back(change_json(c));
  return j;
}

json generate_limited_json(const StreamReport& r, std::int64_t limit, bool dry_run) {
  ChangeCounts total;
  std::int64_t obs = 0;
  for (const auto& b : r.batches) {
    obs += b.observations;
    total += b;
  }
  json j{{"mode", r.full_reason.empty() ? "incremental" : "full"},
         {"full_reason", null_if_empty(r.full_reason)},
         {"dry_run", dry_run},
         {"limit", limit},
         {"processed", obs},
         {"remaining", r.remaining},
         {"elapsed_s", r.elapsed_s}};
  j.update(counts_json(total, false));
  return j;
}

json named_group_change_json(const NamedGroupChange& c) {
  return {{"name", c.name},       {"created", c.created}, {"matched", c.matched},
          {"added", c.added},     {"removed", c.removed}, {"n_items", c.n_items}};
}

}  // namespace tolteca::assoc
