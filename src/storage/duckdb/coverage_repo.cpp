#include "storage/duckdb/coverage_repo.h"

#include "model/product_type.h"
#include "storage/duckdb/duckdb.h"

namespace tolteca::storage::duckdb {

query::NightNetworks night_networks(Session& s) {
  query::NightNetworks out;
  auto res = s.con().query(
      "SELECT DISTINCT p.master, strftime(p.obs_start_time, '%Y-%m-%d'), s.roach FROM sources s "
      "JOIN products p ON p.id = s.product_id WHERE p.product_type = " + quote_literal(product_type::raw_obs) +
      " AND s.roach IS NOT NULL AND p.obs_start_time IS NOT NULL ORDER BY 1, 2, 3");
  for (auto& r : res.rows())
    out[{value_to_string(r[0]), value_to_string(r[1])}].push_back(static_cast<int>(std::get<std::int64_t>(r[2])));
  return out;
}

}  // namespace tolteca::storage::duckdb
