#include "db/query_repo.h"

#include <fmt/format.h>

namespace tolteca::db {

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

}  // namespace tolteca::db
