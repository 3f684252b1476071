// query groups (query_repo.h query_groups).
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

// ---- groups ---------------------------------------------------------------------

static std::string group_order(const std::string& a, bool desc) {
  const char* d = desc ? " DESC" : "";
  return fmt::format("{0}.latest_member_time{1} NULLS LAST, {0}.first_obsnum{1} NULLS LAST, {0}.name", a, d);
}

std::vector<query::GroupRow> query_groups(Session& s, const query::GroupFilter& f) {
  BoundSql where;
  std::vector<std::string> conds;
  if (f.types.empty()) {
    conds.push_back(fmt::format("g.product_type IN {}", kGroupTypes));
  } else {
    std::vector<std::string> types;
    for (const auto& t : f.types) {
      const auto& known = query::group_types();
      if (std::find(known.begin(), known.end(), t) == known.end())
        throw UserError(fmt::format("unknown group type '{}'; types are: {}", t, fmt::join(known, ", ")));
      types.push_back(std::string(product_type::prefix) + t);
    }
    conds.push_back("g.product_type IN " + bound_in_list(types, where.params));
  }
  if (f.since) {
    conds.push_back("g.latest_member_time >= ?");
    where.params.emplace_back(Timestamp{*f.since});
  }
  if (!f.specs.empty()) {
    auto sc = spec_condition(f.specs, SpecTarget::observations);
    conds.push_back(fmt::format(
        "EXISTS (SELECT 1 FROM edges e JOIN products p ON p.id = e.dst_product_id WHERE e.src_product_id = g.id "
        "AND p.product_type = {} AND {})",
        kRaw, sc.sql));
    append(where.params, sc.params);
  }
  std::string cte = fmt::format(
      "SELECT g.id, g.uid, g.name, g.product_type, g.n_items, g.master, g.first_obsnum, g.last_obsnum, "
      "g.latest_member_time, g.obs_start_time FROM products g WHERE {} ORDER BY {}",
      join_and(conds), group_order("g", f.newest));
  if (f.limit) {
    cte += " LIMIT ?";
    where.params.emplace_back(*f.limit);
  }
  std::string sql = fmt::format(
      "WITH gs AS ({}) SELECT gs.*, coalesce(n.cnt, 0) FROM gs LEFT JOIN (SELECT e.src_product_id AS gid, count(*) AS "
      "cnt FROM edges e WHERE e.src_product_id IN (SELECT id FROM gs) GROUP BY 1) n ON n.gid = gs.id "
      "ORDER BY {}",
      cte, group_order("gs", f.newest));
  std::vector<query::GroupRow> out;
  std::map<std::int64_t, std::size_t> index;
  for (auto& r : run(s, sql, where.params).rows()) {
    query::GroupRow g;
    g.id = as_int(r[0]);
    g.uid = as_str(r[1]);
    g.name = as_str(r[2]);
    g.type = type_of_product(as_str(r[3]));
    g.n_items = opt_int(r[4]).value_or(as_int(r[10]));
    g.master = opt_str(r[5]);
    g.first_obsnum = opt_int(r[6]);
    g.last_obsnum = opt_int(r[7]);
    g.latest_member_time = opt_time(r[8]);
    index[g.id] = out.size();
    out.push_back(std::move(g));
  }
  if (f.members && !out.empty()) {
    std::string msql = fmt::format(
        "WITH gs AS ({}) SELECT e.src_product_id, p.uid, p.product_type, p.data_kind, p.obs_start_time FROM edges e "
        "JOIN products p ON p.id = e.dst_product_id WHERE e.src_product_id IN (SELECT id FROM gs) "
        "ORDER BY e.src_product_id, {}, p.uid",
        cte, sequence_order("p"));
    for (auto& r : run(s, msql, where.params).rows()) {
      auto it = index.find(as_int(r[0]));
      if (it == index.end()) continue;
      out[it->second].members.push_back({as_str(r[1]), as_str(r[2]), static_cast<DataKindBits>(as_int(r[3])),
                                         opt_time(r[4])});
    }
  }
  return out;
}

}  // namespace tolteca::storage::duckdb
