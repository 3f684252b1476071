// query export and its columns (query_repo.h export_query, export_columns).
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

// ---- export -------------------------------------------------------------------------

namespace {

struct ExportSelect {
  BoundSql select;    // without ORDER BY
  std::string order;  // over the output column names (alias x)
};

ExportSelect export_select(Session& s, const std::string& what, const std::vector<query::ObsSpec>& specs) {
  ExportSelect out;
  auto spec_on_p = [&](SpecTarget t) {
    if (specs.empty()) return std::string("TRUE");
    auto sc = spec_condition(specs, t);
    append(out.select.params, sc.params);
    return sc.sql;
  };
  const std::string seq_x = fmt::format("x.start_time NULLS LAST, {}, x.obsnum, x.subobsnum, x.scannum",
                                        fmt::format(kMasterCode, "x"));
  if (what == "obs") {
    std::string cond = spec_on_p(SpecTarget::observations);
    out.select.sql = fmt::format(
        "SELECT p.uid, p.master, p.obsnum, p.subobsnum, p.scannum, p.data_kind, {} AS kinds, "
        "p.obs_start_time AS start_time, p.obs_goal, p.source_name, p.project_id, p.obs_pgm, p.tau, "
        "p.integration_time, p.az_deg, p.el_deg, (SELECT count(*) FROM sources s WHERE s.product_id = p.id) AS "
        "n_files FROM products p WHERE p.product_type = {} AND {}",
        kinds_sql("p.data_kind"), kRaw, cond);
    out.order = seq_x;
  } else if (what == "files") {
    std::string cond = spec_on_p(SpecTarget::files);
    out.select.sql = fmt::format(
        "SELECT p.uid AS obs_uid, p.master, p.obsnum, p.subobsnum, p.scannum, p.obs_start_time AS start_time, "
        "s.interface, s.roach, s.data_kind, {} AS kinds, s.is_raw, s.availability, l.label AS location, "
        "CASE WHEN l.root_path = '' THEN s.rel_path ELSE rtrim(l.root_path, '/') || '/' || s.rel_path END AS path, "
        "s.rel_path, s.size, s.file_time, s.cal_obsnum, s.cal_subobsnum, s.cal_scannum, s.problem "
        "FROM sources s JOIN products p ON p.id = s.product_id JOIN locations l ON l.id = s.location_id "
        "WHERE p.product_type = {} AND {}",
        kinds_sql("s.data_kind"), kRaw, cond);
    out.order = seq_x + ", x.roach NULLS LAST, x.interface, x.rel_path, x.location";
  } else if (what == "groups") {
    std::string cond = "TRUE";
    if (!specs.empty())
      cond = fmt::format(
          "EXISTS (SELECT 1 FROM edges e JOIN products p ON p.id = e.dst_product_id WHERE e.src_product_id = g.id "
          "AND p.product_type = {} AND {})",
          kRaw, spec_on_p(SpecTarget::observations));
    out.select.sql = fmt::format(
        "SELECT g.uid, g.name, substr(g.product_type, 4) AS type, g.n_items, g.master, g.first_obsnum, "
        "g.last_obsnum, g.latest_member_time FROM products g WHERE g.product_type IN {} AND {}",
        kGroupTypes, cond);
    out.order = "x.latest_member_time NULLS LAST, x.first_obsnum NULLS LAST, x.name";
  } else if (what == "edges") {
    std::string cond = "TRUE";
    if (!specs.empty()) {
      auto sc = spec_condition(specs, SpecTarget::observations);
      std::string sub = fmt::format("(SELECT p.id FROM products p WHERE p.product_type = {} AND {})", kRaw, sc.sql);
      cond = fmt::format("(e.src_product_id IN {0} OR e.dst_product_id IN {0})", sub);
      append(out.select.params, sc.params);
      append(out.select.params, sc.params);
    }
    out.select.sql = fmt::format(
        "SELECT e.id, e.assoc_type, src.uid AS src_uid, dst.uid AS dst_uid, CAST(e.context AS VARCHAR) AS context, "
        "e.created_at FROM edges e JOIN products src ON src.id = e.src_product_id "
        "JOIN products dst ON dst.id = e.dst_product_id WHERE {}",
        cond);
    out.order = "x.id";
  } else {
    const auto& tables = schema_tables();
    if (std::find(tables.begin(), tables.end(), what) == tables.end())
      throw UnknownExportWhat(what, tables);
    if (!specs.empty())
      throw SpecsOnTable(what);
    out.select.sql = fmt::format("SELECT * FROM {}", quote_identifier(what));
    out.order = "ALL";
  }
  (void)s;
  return out;
}

std::string type_name(duckdb_type t) {
  switch (t) {
    case DUCKDB_TYPE_BOOLEAN: return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT: return "INTEGER";
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL: return "DOUBLE";
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_DATE: return "TIMESTAMP";
    default: return "VARCHAR";
  }
}

std::vector<std::pair<std::string, std::string>> select_columns(Session& s, const BoundSql& sel) {
  auto res = run(s, "SELECT * FROM (" + sel.sql + ") x LIMIT 0", sel.params);
  std::vector<std::pair<std::string, std::string>> cols;
  for (std::size_t c = 0; c < res.column_count(); ++c) cols.emplace_back(res.column_name(c), type_name(res.column_type(c)));
  return cols;
}

// The bound value of a filter term for a column of the given type.
Value where_value(const query::WhereTerm& t, const std::string& type, const std::string& what) {
  auto bad = [&](const char* expected) -> Value {
    throw BadExportFilter(BadExportFilter::Problem::wrong_value_type, what, t.column, t.op, t.value, expected);
  };
  if ((t.op == "like" || t.op == "ilike") && type != "VARCHAR")
    throw BadExportFilter(BadExportFilter::Problem::text_operator, what, t.column, t.op, t.value, type);
  if (type == "INTEGER") {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(t.value.data(), t.value.data() + t.value.size(), v);
    if (ec != std::errc() || p != t.value.data() + t.value.size()) return bad("an integer");
    return v;
  }
  if (type == "DOUBLE") {
    try {
      std::size_t used = 0;
      double d = std::stod(t.value, &used);
      if (used != t.value.size()) return bad("a number");
      return d;
    } catch (const std::exception&) {
      return bad("a number");
    }
  }
  if (type == "TIMESTAMP") {
    auto v = parse_time_arg(t.value, now_micros());
    if (!v) return bad("a time: yesterday, -12h, 2024-11-13 or 2024-11-13T17:24:46");
    return Timestamp{*v};
  }
  if (type == "BOOLEAN") {
    auto v = lower_copy(t.value);
    if (v == "true" || v == "1") return true;
    if (v == "false" || v == "0") return false;
    return bad("true or false");
  }
  return t.value;
}

// "*", with every floating-point column's NaN/±Inf replaced by NULL: JSON has no NaN (as `query obs`).
std::string finite_projection(Session& s, const BoundSql& sel) {
  std::vector<std::string> repl;
  for (const auto& [name, type] : select_columns(s, sel))
    if (type == "DOUBLE")
      repl.push_back(fmt::format("CASE WHEN isfinite(x.{0}) THEN x.{0} END AS {0}", quote_identifier(name)));
  return repl.empty() ? std::string("*") : fmt::format("* REPLACE ({})", fmt::join(repl, ", "));
}

}  // namespace

std::vector<std::pair<std::string, std::string>> export_columns(Session& s, const std::string& what) {
  return select_columns(s, export_select(s, what, {}).select);
}

query::ExportResult export_query(Session& s, const query::ExportRequest& r) {
  auto sel = export_select(s, r.what, r.specs);
  BoundSql full;
  full.params = sel.select.params;
  std::vector<std::string> conds;
  if (!r.where.empty()) {
    auto cols = select_columns(s, sel.select);
    for (const auto& t : r.where) {
      auto it = std::find_if(cols.begin(), cols.end(), [&](const auto& c) { return lower_copy(c.first) == t.column; });
      if (it == cols.end()) {
        std::vector<std::string> names;
        for (auto& c : cols) names.push_back(c.first);
        throw BadExportFilter(BadExportFilter::Problem::unknown_column, r.what, t.column, t.op, t.value,
                              fmt::format("{}", fmt::join(names, ", ")));
      }
      // Text compares case-insensitively, like the dedicated filters (--goal focus = Focus): = != <> and like.
      const bool text = it->second == "VARCHAR";
      const bool eq = t.op == "=" || t.op == "!=" || t.op == "<>";
      std::string op = t.op == "like" || t.op == "ilike" ? "ILIKE" : t.op;
      if (text && eq) conds.push_back(fmt::format("lower(x.{}) {} lower(?)", quote_identifier(it->first), op));
      else conds.push_back(fmt::format("x.{} {} ?", quote_identifier(it->first), op));
      full.params.push_back(where_value(t, it->second, r.what));
    }
  }
  full.sql = fmt::format("SELECT {} FROM ({}) x WHERE {} ORDER BY {}",
                         r.format == query::ExportFormat::json ? finite_projection(s, sel.select) : std::string("*"),
                         sel.select.sql, join_and(conds), sel.order);
  if (r.limit) full.sql += fmt::format(" LIMIT {}", std::max<std::int64_t>(0, *r.limit));
  const char* options = "(FORMAT CSV, HEADER true)";
  const char* fmt_name = "csv";
  if (r.format == query::ExportFormat::parquet) {
    options = "(FORMAT PARQUET)";
    fmt_name = "parquet";
  } else if (r.format == query::ExportFormat::json) {
    options = "(FORMAT JSON, ARRAY true)";
    fmt_name = "json";
  }
  if (r.output.empty()) throw UserError("export: an OUTPUT path is required");
  // Checked before the query runs: never the open database, an existing file only with --force.
  files::OutputFile out(r.output, files::OutputPolicy{r.force, s.own_files()});
  // The target cannot be a parameter in COPY: it is quoted as a literal.
  std::string copy = fmt::format("COPY ({}) TO {} {}", full.sql, quote_literal(out.temp_path()), options);
  Result res;
  try {
    res = run(s, copy, full.params);
  } catch (const DbError& e) {
    throw UserError(fmt::format("export to {} failed: {}", r.output, e.what()));
  }
  out.commit();
  return {r.output, r.what, fmt_name, res.rows_changed()};
}

}  // namespace tolteca::storage::duckdb
