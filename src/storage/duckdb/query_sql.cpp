// The SQL pieces the DuckDB queries share (query_sql.h).
#include "storage/duckdb/query_sql.h"

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

namespace tolteca::storage::duckdb::sql {

// Appends "col <op> ?" conditions for one number selection.
void number_condition(const query::NumberSel& sel, const std::string& col, std::vector<std::string>& conds,
                      std::vector<Value>& params) {
  using K = query::NumberSel::Kind;
  switch (sel.kind) {
    case K::all: return;
    case K::value:
      conds.push_back(col + " = ?");
      params.emplace_back(sel.values[0]);
      return;
    case K::set:
      conds.push_back(col + " IN " + bound_in_list(sel.values, params));
      return;
    case K::range:
      if (sel.start) {
        conds.push_back(col + " >= ?");
        params.emplace_back(*sel.start);
      }
      if (sel.stop) {
        conds.push_back(col + " < ?");
        params.emplace_back(*sel.stop);
      }
      if (sel.step != 1) {
        conds.push_back(fmt::format("({} - ?) % ? = 0", col));
        params.emplace_back(sel.start.value_or(0));
        params.emplace_back(sel.step);
      }
      return;
  }
}

std::string join_and(const std::vector<std::string>& conds) {
  if (conds.empty()) return "TRUE";
  std::string out;
  for (std::size_t i = 0; i < conds.size(); ++i) out += (i ? " AND " : "") + conds[i];
  return out;
}

// Quartet part of a spec on alias a.
void quartet_conditions(const query::ObsSpec& spec, const std::string& a, std::vector<std::string>& conds,
                        std::vector<Value>& params) {
  if (spec.master) {
    conds.push_back(a + ".master = ?");
    params.emplace_back(std::string(to_string(*spec.master)));
  }
  number_condition(spec.obsnum, a + ".obsnum", conds, params);
  number_condition(spec.subobsnum, a + ".subobsnum", conds, params);
  number_condition(spec.scannum, a + ".scannum", conds, params);
}

// ---- reading values ----------------------------------------------------------

std::int64_t as_int(const Value& v) {
  if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  if (auto* b = std::get_if<bool>(&v)) return *b ? 1 : 0;
  return 0;
}
std::optional<std::int64_t> opt_int(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  return as_int(v);
}
std::string as_str(const Value& v) { return value_to_string(v); }
std::optional<std::string> opt_str(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  return value_to_string(v);
}
std::optional<double> opt_double(const Value& v) {
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  return std::nullopt;
}
std::optional<UnixMicros> opt_time(const Value& v) {
  if (auto* t = std::get_if<Timestamp>(&v)) return t->micros;
  return std::nullopt;
}
bool as_bool(const Value& v) {
  if (auto* b = std::get_if<bool>(&v)) return *b;
  return as_int(v) != 0;
}

std::string join_path(const std::string& root, const std::string& rel) {
  if (root.empty()) return rel;
  return (std::filesystem::path(root) / rel).lexically_normal().string();
}

// A statement with '?' placeholders bound in order.
Result run(Session& s, const std::string& sql, const std::vector<Value>& params) {
  auto st = s.con().prepare(sql);
  for (std::size_t i = 0; i < params.size(); ++i) st.bind_value(i + 1, params[i]);
  return st.execute();
}

void append(std::vector<Value>& to, const std::vector<Value>& from) { to.insert(to.end(), from.begin(), from.end()); }


// Sequence order on alias a (start time, master code, obsnum, subobsnum, scannum).
std::string sequence_order(const std::string& a, bool desc) {
  const char* d = desc ? " DESC" : "";
  return fmt::format("{0}.obs_start_time{1} NULLS LAST, {2}{1}, {0}.obsnum{1}, {0}.subobsnum{1}, {0}.scannum{1}", a, d,
                     fmt::format(kMasterCode, a));
}
std::string obsnum_order(const std::string& a, bool desc) {
  const char* d = desc ? " DESC" : "";
  return fmt::format("{0}.obsnum{2}, {0}.subobsnum{2}, {0}.scannum{2}, {1}{2}", a, fmt::format(kMasterCode, a), d);
}

// Kind names of a data_kind column, as in data_kind_names().
std::string kinds_sql(const std::string& col) {
  std::string parts;
  for (const auto& k : all_data_kinds())
    parts += fmt::format(", CASE WHEN ({} & {}) <> 0 THEN '{}' END", col, bits(k.kind), k.name);
  return fmt::format("concat_ws(','{})", parts);
}

std::string lower_copy(std::string v) {
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v;
}

// WHERE conditions of an observation filter on alias p (without specs' OR group
// when no specs).
BoundSql obs_conditions(const query::ObsFilter& f) {
  BoundSql out;
  std::vector<std::string> conds{fmt::format("p.product_type = {}", kRaw)};
  if (!f.specs.empty()) {
    auto sc = spec_condition(f.specs, SpecTarget::observations);
    conds.push_back(sc.sql);
    append(out.params, sc.params);
  }
  if (f.master) {
    conds.push_back("p.master = ?");
    out.params.emplace_back(std::string(to_string(*f.master)));
  }
  if (f.kinds) {
    conds.push_back("(p.data_kind & ?) <> 0");
    out.params.emplace_back(static_cast<std::int64_t>(f.kinds));
  }
  if (f.goal) {
    auto g = lower_copy(*f.goal);
    if (g == "astig" || g == "astigmatism") {
      conds.push_back("lower(p.obs_goal) IN ('astig', 'astigmatism')");
    } else {
      conds.push_back("lower(p.obs_goal) = ?");
      out.params.emplace_back(g);
    }
  }
  if (f.source) {
    conds.push_back("lower(p.source_name) = ?");
    out.params.emplace_back(lower_copy(*f.source));
  }
  if (f.project) {
    conds.push_back("lower(p.project_id) = ?");
    out.params.emplace_back(lower_copy(*f.project));
  }
  if (f.since) {
    conds.push_back("p.obs_start_time >= ?");
    out.params.emplace_back(Timestamp{*f.since});
  }
  if (f.until) {
    conds.push_back("p.obs_start_time < ?");
    out.params.emplace_back(Timestamp{*f.until});
  }
  if (f.arrived_since) {
    conds.push_back("EXISTS (SELECT 1 FROM sources sa WHERE sa.product_id = p.id AND sa.ingest_time >= ?)");
    out.params.emplace_back(Timestamp{*f.arrived_since});
  }
  out.sql = join_and(conds);
  return out;
}

// The matched observations as a CTE body (columns of products p), ordered and limited.
BoundSql obs_cte(const query::ObsFilter& f) {
  auto c = obs_conditions(f);
  BoundSql out;
  out.sql = fmt::format(
      "SELECT p.id, p.uid, p.master, p.obsnum, p.subobsnum, p.scannum, p.obs_start_time, p.data_kind, p.obs_goal, "
      "p.source_name, p.project_id, p.obs_pgm, p.tau FROM products p WHERE {} ORDER BY {}",
      c.sql, f.sort == query::ObsSort::obsnum ? obsnum_order("p", f.newest) : sequence_order("p", f.newest));
  out.params = c.params;
  if (f.limit) {
    if (*f.limit < 0) throw NegativeLimit(*f.limit);
    out.sql += " LIMIT ?";
    out.params.emplace_back(*f.limit);
  }
  return out;
}

query::FileRow read_file_row(const std::vector<Value>& r) {
  // uid, interface, roach, data_kind, is_raw, availability, label, rel_path, root_path, size, file_time, problem
  query::FileRow f;
  f.obs_uid = as_str(r[0]);
  f.interface = as_str(r[1]);
  if (auto n = opt_int(r[2])) f.roach = static_cast<int>(*n);
  f.data_kind = static_cast<DataKindBits>(as_int(r[3]));
  f.is_raw = as_bool(r[4]);
  f.availability = as_str(r[5]);
  f.location = as_str(r[6]);
  f.rel_path = as_str(r[7]);
  f.path = join_path(as_str(r[8]), f.rel_path);
  f.size = opt_int(r[9]);
  f.file_time = opt_time(r[10]);
  f.problem = opt_str(r[11]);
  return f;
}


std::string type_of_product(const std::string& product_type) {
  return product_type.rfind(product_type::prefix, 0) == 0 ? product_type.substr(product_type::prefix.size())
                                                           : product_type;
}


// "(?, ?, …)" with the ids bound, or "(SELECT id FROM (<query>))" with its params.
BoundSql id_set(const std::vector<std::int64_t>& ids, const BoundSql& query) {
  BoundSql out;
  if (ids.size() <= kMaxIdList) {
    out.sql = bound_in_list(ids, out.params);
    return out;
  }
  out.sql = "(SELECT id FROM (" + query.sql + "))";
  out.params = query.params;
  return out;
}

}  // namespace tolteca::storage::duckdb::sql
