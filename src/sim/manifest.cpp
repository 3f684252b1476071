// The simulator's manifest (simulator.h manifest_json): files, bad files, raw observations, groups,
// cal edges, reduced observations and counts, as JSON.
#include <nlohmann/json.hpp>

#include "sim/simulator.h"

namespace tolteca::sim {

nlohmann::json manifest_json(const SimPlan& plan) {
  using nlohmann::json;
  const SimOptions& o = plan.options;
  SimCounts c = count_plan(plan);
  json counts{{"files", c.files}, {"raw_obs", c.raw_obs}, {"bad_files", c.bad_files},
              {"reduced_files", c.reduced_files}};
  json pi = json::object(), pk = json::object(), pm = json::object();
  for (const auto& [k, v] : c.per_interface) pi[k] = v;
  for (const auto& [k, v] : c.per_kind) pk[k] = v;
  for (const auto& [k, v] : c.per_master) pm[k] = v;
  counts["per_interface"] = pi;
  counts["per_kind"] = pk;
  counts["per_master"] = pm;
  json files = json::array(), bad = json::array();
  for (const auto& f : plan.files) {
    json uid = f.quartet ? json(to_string(*f.quartet)) : json(nullptr);
    if (f.bad) {
      bad.push_back({{"path", f.path}, {"case", to_string(*f.bad)}, {"uid", uid},
                     {"expect", expected_outcome(*f.bad)}});
      continue;
    }
    files.push_back({{"path", f.path},
                     {"uid", uid},
                     {"interface", f.name->interface},
                     {"kind", data_kind_names(f.kind)},
                     {"data_kind", f.kind},
                     {"kinds", data_kind_list(f.kind)},
                     {"raw", f.name->is_raw}});
  }
  json raw = json::array();
  for (const auto& r : plan.raw_obs) {
    raw.push_back({{"uid", to_string(r.quartet)},
                   {"master", to_string(r.quartet.master)},
                   {"obsnum", r.quartet.obsnum},
                   {"subobsnum", r.quartet.subobsnum},
                   {"scannum", r.quartet.scannum},
                   {"data_kind", r.data_kind},
                   {"data_kind_names", data_kind_names(r.data_kind)},
                   {"kinds", data_kind_list(r.data_kind)},
                   {"start_time", format_iso8601(r.start_time)},
                   {"networks", r.networks},
                   {"interfaces", r.interfaces},
                   {"n_files", r.n_files},
                   {"obs_goal", r.obs_goal ? json(*r.obs_goal) : json(nullptr)},
                   {"cal", r.cal ? json(*r.cal) : json(nullptr)}});
  }
  json groups = json::array();
  for (const auto& g : plan.groups) groups.push_back({{"type", g.type}, {"name", g.name}, {"members", g.members}});
  json edges = json::array();
  for (const auto& e : plan.cal_edges) edges.push_back({{"src", e.src}, {"dst", e.dst}, {"networks", e.networks}});
  json red = json::array();
  for (const auto& r : plan.reduced_obs) red.push_back({{"uid", r.uid}, {"raw_obs", r.raw_obs}, {"n_files", r.n_files}});
  return json{{"seed", o.seed},
              {"nights", o.nights},
              {"start_date", o.start_date},
              {"format", o.format},
              {"names_only", o.names_only},
              {"networks", o.networks},
              {"counts", counts},
              {"files", files},
              {"bad_files", bad},
              {"raw_obs", raw},
              {"groups", groups},
              {"cal_edges", edges},
              {"reduced_obs", red}};
}

}  // namespace tolteca::sim
