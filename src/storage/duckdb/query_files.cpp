// query files (query_repo.h query_files).
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

// ---- files ----------------------------------------------------------------------

std::vector<query::FileRow> query_files(Session& s, const query::FileFilter& f) {
  // The observations first (products only; cheap), then their files by id.
  BoundSql obs;
  std::vector<std::string> conds{fmt::format("p.product_type = {}", kRaw)};
  if (!f.specs.empty()) {
    auto sc = spec_condition(f.specs, SpecTarget::observations);
    conds.push_back(sc.sql);
    append(obs.params, sc.params);
  }
  obs.sql = fmt::format("SELECT p.id FROM products p WHERE {}", join_and(conds));
  std::vector<std::int64_t> ids;
  for (auto& r : run(s, obs.sql, obs.params).rows()) ids.push_back(as_int(r[0]));
  if (ids.empty()) return {};
  auto set = id_set(ids, obs);
  BoundSql where;
  std::vector<std::string> fconds{"s.product_id IN " + set.sql};
  append(where.params, set.params);
  if (!f.specs.empty()) {
    // The specs again, now on the files (their '/interface' part restricts files).
    auto sc = spec_condition(f.specs, SpecTarget::files);
    fconds.push_back(sc.sql);
    append(where.params, sc.params);
  }
  if (f.interface) {
    fconds.push_back("s.interface = ?");
    where.params.emplace_back(*f.interface);
  }
  std::string inner = fmt::format(
      "SELECT {}, p.obs_start_time, p.master, p.obsnum, p.subobsnum, p.scannum, l.priority FROM sources s "
      "JOIN products p ON p.id = s.product_id JOIN locations l ON l.id = s.location_id WHERE {}",
      kFileColumns, join_and(fconds));
  if (!f.all_locations)
    inner += " QUALIFY row_number() OVER (PARTITION BY s.product_id, parse_filename(s.rel_path) "
             "ORDER BY (s.availability = 'available') DESC, l.priority DESC, l.label) = 1";
  std::string sql = fmt::format(
      "SELECT * FROM ({}) x {} ORDER BY {}, x.roach NULLS LAST, x.interface, x.rel_path, x.priority DESC, x.label",
      inner, f.missing_only ? "WHERE x.availability = 'missing'" : "", sequence_order("x", f.newest));
  std::vector<query::FileRow> out;
  for (auto& r : run(s, sql, where.params).rows()) {
    auto row = read_file_row(r);
    // Its output feeds xargs: a stored path that would leave the data root (a registry written by an
    // older version, an altered import) is never printed.
    if (is_normal_relative(row.rel_path)) out.push_back(std::move(row));
  }
  return out;
}

}  // namespace tolteca::storage::duckdb
