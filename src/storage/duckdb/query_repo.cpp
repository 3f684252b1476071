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

namespace tolteca::storage::duckdb {

namespace {

constexpr const char* kMasterCode = "CASE {0}.master WHEN 'tcs' THEN 0 WHEN 'ics' THEN 1 WHEN 'clip' THEN 2 END";

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
    case K::set: {
      std::string in = col + " IN (";
      for (std::size_t i = 0; i < sel.values.size(); ++i) {
        in += i ? ", ?" : "?";
        params.emplace_back(sel.values[i]);
      }
      conds.push_back(in + ")");
      return;
    }
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

BoundSql one_spec(const query::ObsSpec& spec, SpecTarget target) {
  BoundSql out;
  std::vector<std::string> conds;
  if (spec.latest) {
    // The newest raw observation (sequence order: start time, then master
    // code, obsnum, subobsnum, scannum) among those the rest of the spec selects.
    std::vector<std::string> inner{"l.product_type = 'dp_raw_obs'", "l.obs_start_time IS NOT NULL"};
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


namespace {

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

constexpr const char* kRaw = "'dp_raw_obs'";
constexpr const char* kGroupTypes =
    "('dp_cal_group', 'dp_drivefit', 'dp_focus_group', 'dp_astig_group', 'dp_named_group')";

// Sequence order on alias a (start time, master code, obsnum, subobsnum, scannum).
std::string sequence_order(const std::string& a, bool desc = false) {
  const char* d = desc ? " DESC" : "";
  return fmt::format("{0}.obs_start_time{1} NULLS LAST, {2}{1}, {0}.obsnum{1}, {0}.subobsnum{1}, {0}.scannum{1}", a, d,
                     fmt::format(kMasterCode, a));
}
std::string obsnum_order(const std::string& a, bool desc = false) {
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

constexpr const char* kFileColumnsNoUid =
    "s.interface, s.roach, s.data_kind, s.is_raw, s.availability, l.label, s.rel_path, l.root_path, s.size, "
    "s.file_time, s.problem";
constexpr const char* kFileColumns =
    "p.uid, s.interface, s.roach, s.data_kind, s.is_raw, s.availability, l.label, s.rel_path, l.root_path, s.size, "
    "s.file_time, s.problem";

std::string type_of_product(const std::string& product_type) {
  return product_type.rfind("dp_", 0) == 0 ? product_type.substr(3) : product_type;
}

}  // namespace

// ---- observations -------------------------------------------------------------

namespace {

// Up to this many ids are passed as a bound IN list (DuckDB then uses the ART
// indexes on sources.product_id / edges); beyond, a semi-join on the query.
constexpr std::size_t kMaxIdList = 2048;

// "(?, ?, …)" with the ids bound, or "(SELECT id FROM (<query>))" with its params.
BoundSql id_set(const std::vector<std::int64_t>& ids, const BoundSql& query) {
  BoundSql out;
  if (ids.size() <= kMaxIdList) {
    out.sql = "(";
    for (std::size_t i = 0; i < ids.size(); ++i) {
      out.sql += i ? ", ?" : "?";
      out.params.emplace_back(ids[i]);
    }
    out.sql += ")";
    if (ids.empty()) out.sql = "(NULL)";
    return out;
  }
  out.sql = "(SELECT id FROM (" + query.sql + "))";
  out.params = query.params;
  return out;
}

}  // namespace

std::vector<query::ObsRow> query_obs(Session& s, const query::ObsFilter& f, bool with_files) {
  auto m = obs_cte(f);
  std::vector<query::ObsRow> out;
  std::map<std::int64_t, std::size_t> index;
  std::vector<std::int64_t> ids;
  for (auto& r : run(s, m.sql, m.params).rows()) {
    query::ObsRow o;
    o.id = as_int(r[0]);
    o.uid = as_str(r[1]);
    o.master = as_str(r[2]);
    o.obsnum = as_int(r[3]);
    o.subobsnum = static_cast<std::int32_t>(as_int(r[4]));
    o.scannum = static_cast<std::int32_t>(as_int(r[5]));
    o.start_time = opt_time(r[6]);
    o.data_kind = static_cast<DataKindBits>(as_int(r[7]));
    o.obs_goal = opt_str(r[8]);
    o.source_name = opt_str(r[9]);
    o.project_id = opt_str(r[10]);
    o.obs_pgm = opt_str(r[11]);
    o.tau = opt_double(r[12]);
    index[o.id] = out.size();
    ids.push_back(o.id);
    out.push_back(std::move(o));
  }
  if (out.empty()) return out;
  auto at = [&](const Value& id) -> query::ObsRow* {
    auto it = index.find(as_int(id));
    return it == index.end() ? nullptr : &out[it->second];
  };
  auto set = id_set(ids, m);
  // Files: for a few observations, plain indexed rows summarised here
  // (DISTINCT aggregates in SQL cost several times the fetch); for many, the
  // summary is aggregated in SQL so that millions of file rows never reach
  // this process (unless --files asks for them).
  if (ids.size() > kMaxIdList && !with_files) {
    for (auto& r : run(s,
                       fmt::format("SELECT s.product_id, count(DISTINCT s.rel_path), "
                                   "count(DISTINCT s.rel_path) FILTER (WHERE s.availability = 'missing'), "
                                   "string_agg(DISTINCT CAST(s.roach AS VARCHAR), ','), "
                                   "string_agg(DISTINCT s.interface, ',') FROM sources s WHERE s.product_id IN {} "
                                   "GROUP BY s.product_id",
                                   set.sql),
                       set.params)
                       .rows()) {
      auto* o = at(r[0]);
      if (!o) continue;
      o->n_files = as_int(r[1]);
      o->n_missing = as_int(r[2]);
      std::set<int> nets;
      std::set<std::string> ifaces;
      std::string text = as_str(r[3]);
      for (std::size_t p = 0; p < text.size();) {
        auto c = text.find(',', p);
        if (c == std::string::npos) c = text.size();
        if (c > p) nets.insert(std::stoi(text.substr(p, c - p)));
        p = c + 1;
      }
      text = as_str(r[4]);
      for (std::size_t p = 0; p < text.size();) {
        auto c = text.find(',', p);
        if (c == std::string::npos) c = text.size();
        if (c > p) ifaces.insert(text.substr(p, c - p));
        p = c + 1;
      }
      o->networks.assign(nets.begin(), nets.end());
      o->interfaces.assign(ifaces.begin(), ifaces.end());
    }
  } else {
    std::map<std::int64_t, std::set<std::string>> paths, missing_paths, ifaces;
    std::map<std::int64_t, std::set<int>> nets;
    for (auto& r : run(s,
                       fmt::format("SELECT s.product_id, {} FROM sources s JOIN locations l ON l.id = s.location_id "
                                   "WHERE s.product_id IN {} ORDER BY s.product_id, s.roach NULLS LAST, s.interface, "
                                   "s.rel_path, l.priority DESC, l.label",
                                   kFileColumnsNoUid, set.sql),
                       set.params)
                       .rows()) {
      auto* o = at(r[0]);
      if (!o) continue;
      std::vector<Value> row{Value{o->uid}};
      row.insert(row.end(), r.begin() + 1, r.end());
      auto f = read_file_row(row);
      paths[o->id].insert(f.rel_path);
      if (f.availability == "missing") missing_paths[o->id].insert(f.rel_path);
      if (f.roach) nets[o->id].insert(*f.roach);
      ifaces[o->id].insert(f.interface);
      if (with_files) o->files.push_back(std::move(f));
    }
    for (auto& o : out) {
      o.n_files = static_cast<std::int64_t>(paths[o.id].size());
      o.n_missing = static_cast<std::int64_t>(missing_paths[o.id].size());
      o.networks.assign(nets[o.id].begin(), nets[o.id].end());
      o.interfaces.assign(ifaces[o.id].begin(), ifaces[o.id].end());
    }
  }
  if (ids.size() > kMaxIdList) {
    // Many observations: join in SQL (one pass) rather than id lookups.
    for (auto& r : run(s,
                       fmt::format("SELECT e.dst_product_id, gp.name FROM edges e JOIN products gp "
                                   "ON gp.id = e.src_product_id WHERE e.dst_product_id IN {} AND gp.product_type IN {} "
                                   "ORDER BY gp.name",
                                   set.sql, kGroupTypes),
                       set.params)
                       .rows())
      if (auto* o = at(r[0])) o->groups.push_back(as_str(r[1]));
    for (auto& r : run(s,
                       fmt::format("SELECT DISTINCT e.src_product_id, cp.uid FROM edges e JOIN products cp "
                                   "ON cp.id = e.dst_product_id WHERE e.assoc_type = 'dpa_raw_obs_cal_obs' "
                                   "AND e.src_product_id IN {} ORDER BY cp.uid",
                                   set.sql),
                       set.params)
                       .rows())
      if (auto* o = at(r[0])) o->cal.push_back(as_str(r[1]));
    return out;
  }
  // Edges by index (to groups: dst = obs; to cal observations: src = obs),
  // then the products at their other ends by id.
  std::vector<std::tuple<std::int64_t, std::int64_t, bool>> links;  // obs id, other id, is cal
  std::vector<std::int64_t> others;
  for (auto& r : run(s,
                     fmt::format("SELECT e.dst_product_id, e.src_product_id FROM edges e WHERE e.dst_product_id IN {} "
                                 "AND e.assoc_type <> 'dpa_raw_obs_cal_obs' AND e.assoc_type <> "
                                 "'dpa_reduced_obs_raw_obs'",
                                 set.sql),
                     set.params)
                     .rows()) {
    links.emplace_back(as_int(r[0]), as_int(r[1]), false);
    others.push_back(as_int(r[1]));
  }
  for (auto& r : run(s,
                     fmt::format("SELECT e.src_product_id, e.dst_product_id FROM edges e WHERE e.src_product_id IN {} "
                                 "AND e.assoc_type = 'dpa_raw_obs_cal_obs'",
                                 set.sql),
                     set.params)
                     .rows()) {
    links.emplace_back(as_int(r[0]), as_int(r[1]), true);
    others.push_back(as_int(r[1]));
  }
  if (!links.empty()) {
    std::sort(others.begin(), others.end());
    others.erase(std::unique(others.begin(), others.end()), others.end());
    std::map<std::int64_t, std::pair<std::string, std::string>> info;  // id -> (uid or name, product_type)
    for (std::size_t i = 0; i < others.size(); i += kMaxIdList) {
      std::vector<std::int64_t> chunk(others.begin() + static_cast<std::ptrdiff_t>(i),
                                      others.begin() + static_cast<std::ptrdiff_t>(std::min(others.size(), i + kMaxIdList)));
      auto cs = id_set(chunk, {});
      for (auto& r : run(s, "SELECT id, uid, name, product_type FROM products WHERE id IN " + cs.sql, cs.params).rows())
        info[as_int(r[0])] = {as_str(r[3]) == "dp_raw_obs" ? as_str(r[1]) : as_str(r[2]), as_str(r[3])};
    }
    static const std::set<std::string> group_types{"dp_cal_group", "dp_drivefit", "dp_focus_group", "dp_astig_group",
                                                   "dp_named_group"};
    for (auto& [obs_id, other, is_cal] : links) {
      auto* o = at(Value{obs_id});
      auto it = info.find(other);
      if (!o || it == info.end()) continue;
      if (is_cal) o->cal.push_back(it->second.first);
      else if (group_types.count(it->second.second)) o->groups.push_back(it->second.first);
    }
    for (auto& o : out) {
      std::sort(o.groups.begin(), o.groups.end());
      std::sort(o.cal.begin(), o.cal.end());
      o.cal.erase(std::unique(o.cal.begin(), o.cal.end()), o.cal.end());
    }
  }
  return out;
}

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
    std::string in;
    for (const auto& t : f.types) {
      const auto& known = query::group_types();
      if (std::find(known.begin(), known.end(), t) == known.end())
        throw UserError(fmt::format("unknown group type '{}'; types are: {}", t, fmt::join(known, ", ")));
      in += in.empty() ? "?" : ", ?";
      where.params.emplace_back("dp_" + t);
    }
    conds.push_back("g.product_type IN (" + in + ")");
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

// ---- stats ------------------------------------------------------------------------

query::Stats query_stats(Session& s) {
  query::Stats st;
  auto& con = s.con();
  // One small GROUP BY over products (types x masters x kinds: a few dozen
  // groups); totals, per master and per kind are summed here.
  std::map<std::string, std::int64_t> per_master, per_group_type;
  std::vector<std::int64_t> per_kind(all_data_kinds().size(), 0);
  for (auto& r : con.query("SELECT product_type, master, data_kind, count(*), min(obs_start_time), "
                           "max(obs_start_time) FROM products GROUP BY ALL")
                     .rows()) {
    std::string type = as_str(r[0]);
    std::int64_t n = as_int(r[3]);
    if (type == "dp_raw_obs") {
      st.observations += n;
      per_master[as_str(r[1])] += n;
      auto kind = static_cast<DataKindBits>(as_int(r[2]));
      for (std::size_t k = 0; k < all_data_kinds().size(); ++k)
        if (has(kind, all_data_kinds()[k].kind)) per_kind[k] += n;
      auto lo = opt_time(r[4]), hi = opt_time(r[5]);
      if (lo && (!st.first_start || *lo < *st.first_start)) st.first_start = lo;
      if (hi && (!st.last_start || *hi > *st.last_start)) st.last_start = hi;
    } else if (type == "dp_reduced_obs") {
      st.reduced += n;
    } else if (type.rfind("dp_", 0) == 0) {
      st.groups += n;
      per_group_type[type_of_product(type)] += n;
    }
  }
  for (const char* m : {"tcs", "ics", "clip"})
    if (per_master.count(m)) st.per_master.push_back({m, per_master[m]});
  for (auto& [m, n] : per_master)
    if (m != "tcs" && m != "ics" && m != "clip") st.per_master.push_back({m.empty() ? "(none)" : m, n});
  for (std::size_t k = 0; k < per_kind.size(); ++k)
    st.per_kind.push_back({std::string(all_data_kinds()[k].name), per_kind[k]});
  for (auto& [t, n] : per_group_type) st.groups_per_type.push_back({t, n});
  for (auto& r : con.query("SELECT assoc_type, count(*) FROM edges GROUP BY 1 ORDER BY 1").rows()) {
    st.edges_per_type.push_back({as_str(r[0]), as_int(r[1])});
    st.edges += as_int(r[1]);
  }
  // Nights: group by the DATE (formatting 1M timestamps in SQL costs more than the scan).
  for (auto& r : con.query(fmt::format("SELECT CAST(obs_start_time AS DATE) AS d, count(*) FROM products "
                                       "WHERE product_type = {} AND obs_start_time IS NOT NULL GROUP BY 1 ORDER BY 1",
                                       kRaw))
                     .rows())
    if (auto t = opt_time(r[0])) st.per_night.push_back({format_iso8601(*t).substr(0, 10), as_int(r[1])});
  // Files per interface, then the (rare) missing ones per interface: two
  // cheap scans rather than one with a per-row filter, and no per-interface
  // distinct count of observations (a hash-distinct over every file row).
  std::map<std::string, std::size_t> net_index;
  for (auto& r : con.query("SELECT interface, count(*) FROM sources GROUP BY 1").rows())
    st.networks.push_back({as_str(r[0]), as_int(r[1]), 0});
  // Networks in number order, then the other interfaces by name.
  auto net_key = [](const std::string& i) {
    bool net = i.rfind("toltec", 0) == 0 && i.size() > 6 && std::isdigit(static_cast<unsigned char>(i[6]));
    return std::make_pair(net ? std::stoi(i.substr(6)) : 1000, i);
  };
  std::sort(st.networks.begin(), st.networks.end(),
            [&](const auto& a, const auto& b) { return net_key(a.interface) < net_key(b.interface); });
  for (std::size_t i = 0; i < st.networks.size(); ++i) {
    net_index[st.networks[i].interface] = i;
    st.files += st.networks[i].files;
  }
  for (auto& r : con.query("SELECT interface, count(*) FROM sources WHERE availability = 'missing' GROUP BY 1").rows()) {
    auto it = net_index.find(as_str(r[0]));
    if (it != net_index.end()) st.networks[it->second].missing = as_int(r[1]);
    st.missing_files += as_int(r[1]);
  }
  st.failed_ingests = con.scalar_int("SELECT count(*) FROM events WHERE kind = 'failed'").value_or(0);
  for (auto& r : con.query("SELECT time, subject, message FROM events WHERE kind = 'failed' "
                           "ORDER BY time DESC, id DESC LIMIT 10")
                     .rows())
    st.recent_failures.push_back({opt_time(r[0]), as_str(r[1]), as_str(r[2])});
  st.db_size = database_file_size(s);
  return st;
}

// ---- provenance -------------------------------------------------------------------

std::vector<query::Provenance> query_provenance(Session& s, const std::vector<query::ObsSpec>& specs,
                                                std::int64_t limit) {
  query::ObsFilter f;
  f.specs = specs;
  f.limit = limit;
  std::vector<query::Provenance> out;
  auto cal_st = s.con().prepare(
      "SELECT d.id, d.uid, d.data_kind, CAST(e.context AS VARCHAR) FROM edges e JOIN products d "
      "ON d.id = e.dst_product_id WHERE e.assoc_type = 'dpa_raw_obs_cal_obs' AND e.src_product_id = ? ORDER BY d.uid");
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
                       "WHERE e.assoc_type = 'dpa_reduced_obs_raw_obs' AND e.dst_product_id = ? ORDER BY r.uid",
                       {Value{obs.id}})
                       .rows())
      p.reduced.push_back(as_str(r[0]));
    for (auto& r : run(s,
                       "SELECT DISTINCT r.uid FROM edges e JOIN products r ON r.id = e.src_product_id "
                       "WHERE e.assoc_type = 'dpa_raw_obs_cal_obs' AND e.dst_product_id = ? ORDER BY r.uid",
                       {Value{obs.id}})
                       .rows())
      p.referenced_by.push_back(as_str(r[0]));
    p.obs = std::move(obs);
    out.push_back(std::move(p));
  }
  return out;
}

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
