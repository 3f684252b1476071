// query obs (query_repo.h query_obs).
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
#include <unordered_map>
#include "storage/duckdb/admin.h"
#include "files/output_file.h"
#include "model/error.h"
#include "model/time_arg.h"
#include "model/rel_path.h"
#include "model/split.h"
#include "storage/errors.h"
#include "storage/duckdb/query_sql.h"

namespace tolteca::storage::duckdb {

using namespace sql;

// ---- observations -------------------------------------------------------------

namespace {

// The selected observations while their summaries are filled in.
struct ObsSelection {
  Session& s;
  std::vector<query::ObsRow> out;
  std::unordered_map<std::int64_t, std::size_t> index;  // id -> position in out
  BoundSql set;                               // the ids as a bound set (id_set)
  query::ObsRow* at(const Value& id) {
    auto it = index.find(as_int(id));
    return it == index.end() ? nullptr : &out[it->second];
  }
};

// The observation rows of the filter's selection; returns their ids.
std::vector<std::int64_t> read_obs(ObsSelection& q, const BoundSql& m) {
  Session& s = q.s;
  auto& out = q.out;
  auto& index = q.index;
  std::vector<std::int64_t> ids;
  run(s, m.sql, m.params).each_row([&](std::vector<Value>& r) {
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
  });
  return ids;
}

// Without their files: each observation's stored file summary (file_summary.h).
void read_file_summaries(ObsSelection& q) {
  auto to_ints = [](const std::string& csv) {
    std::vector<int> v;
    for (const std::string& n : split_nonempty(csv)) v.push_back(std::stoi(n));
    return v;
  };
  run(q.s,
      fmt::format("SELECT product_id, n_files, n_missing, networks, interfaces FROM obs_file_summary "
                  "WHERE product_id IN {}",
                  q.set.sql),
      q.set.params)
      .each_row([&](std::vector<Value>& r) {
        auto* o = q.at(r[0]);
        if (!o) return;
        o->n_files = as_int(r[1]);
        o->n_missing = as_int(r[2]);
        o->networks = to_ints(as_str(r[3]));
        o->interfaces = split_nonempty(as_str(r[4]));
      });
}

// The files as rows (kept in ObsRow::files), summarised here.
void files_with_summary(ObsSelection& q) {
  Session& s = q.s;
  auto& out = q.out;
  const BoundSql& set = q.set;
  auto at = [&](const Value& id) { return q.at(id); };
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
    o->files.push_back(std::move(f));
  }
  for (auto& o : out) {
    o.n_files = static_cast<std::int64_t>(paths[o.id].size());
    o.n_missing = static_cast<std::int64_t>(missing_paths[o.id].size());
    o.networks.assign(nets[o.id].begin(), nets[o.id].end());
    o.interfaces.assign(ifaces[o.id].begin(), ifaces[o.id].end());
  }
}

// Many observations: groups and cal observations joined in SQL.
void groups_and_cal_joined(ObsSelection& q) {
  Session& s = q.s;
  const BoundSql& set = q.set;
  auto at = [&](const Value& id) { return q.at(id); };
  // Many observations: join in SQL (one pass) rather than id lookups.
  run(s,
      fmt::format("SELECT e.dst_product_id, gp.name FROM edges e JOIN products gp "
                  "ON gp.id = e.src_product_id WHERE e.dst_product_id IN {} AND gp.product_type IN {} "
                  "ORDER BY gp.name",
                  set.sql, kGroupTypes),
      set.params)
      .each_row([&](std::vector<Value>& r) {
        if (auto* o = at(r[0])) o->groups.push_back(as_str(r[1]));
      });
  run(s,
      fmt::format("SELECT DISTINCT e.src_product_id, cp.uid FROM edges e JOIN products cp "
                  "ON cp.id = e.dst_product_id WHERE e.assoc_type = {} "
                  "AND e.src_product_id IN {} ORDER BY cp.uid",
                  kCalEdge, set.sql),
      set.params)
      .each_row([&](std::vector<Value>& r) {
        if (auto* o = at(r[0])) o->cal.push_back(as_str(r[1]));
      });
}

// A few observations: their edges by index, then the products at the other ends by id.
void groups_and_cal_by_index(ObsSelection& q) {
  Session& s = q.s;
  auto& out = q.out;
  const BoundSql& set = q.set;
  auto at = [&](const Value& id) { return q.at(id); };
  // Edges by index (to groups: dst = obs; to cal observations: src = obs),
  // then the products at their other ends by id.
  std::vector<std::tuple<std::int64_t, std::int64_t, bool>> links;  // obs id, other id, is cal
  std::vector<std::int64_t> others;
  for (auto& r : run(s,
                     fmt::format("SELECT e.dst_product_id, e.src_product_id FROM edges e WHERE e.dst_product_id IN {} "
                                 "AND e.assoc_type <> {} AND e.assoc_type <> {}",
                                 set.sql, kCalEdge, kReducedEdge),
                     set.params)
                     .rows()) {
    links.emplace_back(as_int(r[0]), as_int(r[1]), false);
    others.push_back(as_int(r[1]));
  }
  for (auto& r : run(s,
                     fmt::format("SELECT e.src_product_id, e.dst_product_id FROM edges e WHERE e.src_product_id IN {} "
                                 "AND e.assoc_type = {}",
                                 set.sql, kCalEdge),
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
        info[as_int(r[0])] = {as_str(r[3]) == product_type::raw_obs ? as_str(r[1]) : as_str(r[2]), as_str(r[3])};
    }
    static const std::set<std::string> group_types(kGroupProductTypes.begin(), kGroupProductTypes.end());
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
}

}  // namespace

std::vector<query::ObsRow> query_obs(Session& s, const query::ObsFilter& f, bool with_files) {
  auto m = obs_cte(f);
  ObsSelection q{s, {}, {}, {}};
  const std::vector<std::int64_t> ids = read_obs(q, m);
  if (q.out.empty()) return {};
  q.set = id_set(ids, m);
  const bool many = ids.size() > kMaxIdList;
  // Files: the stored summaries, unless --files asks for the rows themselves (then summarised here).
  if (with_files)
    files_with_summary(q);
  else
    read_file_summaries(q);
  if (many)
    groups_and_cal_joined(q);
  else
    groups_and_cal_by_index(q);
  return std::move(q.out);
}

}  // namespace tolteca::storage::duckdb
