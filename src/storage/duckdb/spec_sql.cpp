// Observation specs -> a bound SQL condition (query_repo.h spec_condition).
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

namespace {

BoundSql one_spec(const query::ObsSpec& spec, SpecTarget target) {
  BoundSql out;
  std::vector<std::string> conds;
  if (spec.latest) {
    // The newest raw observation (sequence order: start time, then master
    // code, obsnum, subobsnum, scannum) among those the rest of the spec selects.
    std::vector<std::string> inner{"l.product_type = " + kRaw, "l.obs_start_time IS NOT NULL"};
    quartet_conditions(spec, "l", inner, out.params);
    if (spec.interface) {
      inner.push_back("EXISTS (SELECT 1 FROM sources ls WHERE ls.product_id = l.id AND ls.interface = ?)");
      out.params.emplace_back(*spec.interface);
    }
    conds.push_back(fmt::format(
        "p.id = (SELECT l.id FROM products l WHERE {} ORDER BY l.obs_start_time DESC, {} DESC, l.obsnum DESC, "
        "l.subobsnum DESC, l.scannum DESC LIMIT 1)",
        join_and(inner), fmt::format(kMasterCode, "l")));
  } else {
    quartet_conditions(spec, "p", conds, out.params);
  }
  if (spec.interface) {
    if (target == SpecTarget::files) {
      conds.push_back("s.interface = ?");
    } else {
      conds.push_back("EXISTS (SELECT 1 FROM sources si WHERE si.product_id = p.id AND si.interface = ?)");
    }
    out.params.emplace_back(*spec.interface);
  }
  out.sql = join_and(conds);
  return out;
}

}  // namespace

BoundSql spec_condition(const std::vector<query::ObsSpec>& specs, SpecTarget target) {
  BoundSql out;
  if (specs.empty()) {
    out.sql = "TRUE";
    return out;
  }
  std::string sql;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    auto one = one_spec(specs[i], target);
    sql += (i ? " OR (" : "(") + one.sql + ")";
    for (auto& v : one.params) out.params.push_back(std::move(v));
  }
  out.sql = specs.size() > 1 ? "(" + sql + ")" : sql;
  return out;
}

}  // namespace tolteca::storage::duckdb
