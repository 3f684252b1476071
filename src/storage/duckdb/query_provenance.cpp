// query provenance (query_repo.h query_provenance).
#include "storage/duckdb/query_repo.h"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include "storage/duckdb/admin.h"
#include "files/output_file.h"
#include "model/error.h"
#include "model/time_arg.h"
#include "model/rel_path.h"
#include "storage/errors.h"
#include "storage/duckdb/query_sql.h"

namespace tolteca::storage::duckdb {

using namespace sql;

// ---- provenance -------------------------------------------------------------------

std::vector<query::Provenance> query_provenance(Session& s, const std::vector<query::ObsSpec>& specs,
                                                std::int64_t limit) {
  query::ObsFilter f;
  f.specs = specs;
  f.limit = limit;
  std::vector<query::Provenance> out;
  auto cal_st = s.con().prepare(
      "SELECT d.id, d.uid, d.data_kind, CAST(e.context AS VARCHAR) FROM edges e JOIN products d "
      "ON d.id = e.dst_product_id WHERE e.assoc_type = " + kCalEdge + " AND e.src_product_id = ? ORDER BY d.uid");
  for (auto& obs : query_obs(s, f, false)) {
    query::Provenance p;
    for (auto& r : run(s,
                       fmt::format("SELECT g.uid, g.name, g.product_type FROM edges e JOIN products g ON g.id = "
                                   "e.src_product_id WHERE e.dst_product_id = ? AND g.product_type IN {} "
                                   "ORDER BY g.product_type, g.name",
                                   kGroupTypes),
                       {Value{obs.id}})
                       .rows())
      p.groups.push_back({as_str(r[0]), as_str(r[1]), type_of_product(as_str(r[2]))});
    // The cal chain: breadth first along raw_obs -> cal_obs edges.
    std::set<std::int64_t> seen{obs.id};
    std::vector<std::pair<std::int64_t, std::string>> frontier{{obs.id, obs.uid}};
    for (int depth = 1; !frontier.empty() && depth <= 64; ++depth) {
      std::vector<std::pair<std::int64_t, std::string>> next;
      for (auto& [id, uid] : frontier) {
        cal_st.clear();
        cal_st.bind(1, id);
        for (auto& r : cal_st.execute().rows()) {
          query::CalStep step;
          step.depth = depth;
          step.from_uid = uid;
          step.uid = as_str(r[1]);
          step.data_kind = static_cast<DataKindBits>(as_int(r[2]));
          if (auto ctx = opt_str(r[3])) {
            auto j = nlohmann::json::parse(*ctx, nullptr, false);
            if (j.is_object() && j.contains("networks") && j["networks"].is_array()) {
              std::vector<int> nets;
              for (auto& n : j["networks"])
                if (n.is_number_integer()) nets.push_back(n.get<int>());
              std::sort(nets.begin(), nets.end());
              nets.erase(std::unique(nets.begin(), nets.end()), nets.end());
              step.networks = query::compress_numbers(nets);
            }
          }
          p.cal_chain.push_back(step);
          auto did = as_int(r[0]);
          if (seen.insert(did).second) next.emplace_back(did, step.uid);
        }
      }
      frontier = std::move(next);
    }
    for (auto& r : run(s,
                       "SELECT r.uid FROM edges e JOIN products r ON r.id = e.src_product_id "
                       "WHERE e.assoc_type = " + kReducedEdge + " AND e.dst_product_id = ? ORDER BY r.uid",
                       {Value{obs.id}})
                       .rows())
      p.reduced.push_back(as_str(r[0]));
    for (auto& r : run(s,
                       "SELECT DISTINCT r.uid FROM edges e JOIN products r ON r.id = e.src_product_id "
                       "WHERE e.assoc_type = " + kCalEdge + " AND e.dst_product_id = ? ORDER BY r.uid",
                       {Value{obs.id}})
                       .rows())
      p.referenced_by.push_back(as_str(r[0]));
    p.obs = std::move(obs);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace tolteca::storage::duckdb
