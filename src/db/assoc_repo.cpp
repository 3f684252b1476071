#include "db/assoc_repo.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "db/duckdb.h"
#include "db/query_repo.h"

namespace tolteca::db {

using assoc::CalPointer;
using assoc::GroupType;
using assoc::ObsFact;
using assoc::SeqPos;

namespace {

constexpr const char* kNoTimeSql = "(-9223372036854775807 - 1)";
constexpr const char* kMasterCode = "CASE master WHEN 'tcs' THEN 0 WHEN 'ics' THEN 1 WHEN 'clip' THEN 2 ELSE 3 END";
constexpr std::int64_t kDay = 86'400'000'000LL;

// Every column cast to BIGINT so the chunk reader needs one physical type.
std::string fact_select() {
  return fmt::format(
      "SELECT id::BIGINT, coalesce(epoch_us(obs_start_time), {0})::BIGINT, ({1})::BIGINT, coalesce(obsnum, 0)::BIGINT, "
      "coalesce(subobsnum, 0)::BIGINT, coalesce(scannum, 0)::BIGINT, coalesce(data_kind, 0)::BIGINT, "
      "(CASE lower(obs_goal) WHEN 'focus' THEN 1 WHEN 'astig' THEN 2 WHEN 'astigmatism' THEN 2 ELSE 0 END)::BIGINT, "
      "coalesce(ingest_seq, 0)::BIGINT FROM products WHERE product_type = 'dp_raw_obs'",
      kNoTimeSql, kMasterCode);
}

std::vector<ObsFact> read_facts(Result r) {
  std::vector<ObsFact> out;
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk()) {
    const std::size_t n = c.size();
    const auto* id = c.data<std::int64_t>(0);
    const auto* t = c.data<std::int64_t>(1);
    const auto* m = c.data<std::int64_t>(2);
    const auto* ob = c.data<std::int64_t>(3);
    const auto* sub = c.data<std::int64_t>(4);
    const auto* scan = c.data<std::int64_t>(5);
    const auto* kind = c.data<std::int64_t>(6);
    const auto* goal = c.data<std::int64_t>(7);
    const auto* seq = c.data<std::int64_t>(8);
    const std::size_t base = out.size();
    out.resize(base + n);
    for (std::size_t i = 0; i < n; ++i) {
      ObsFact& f = out[base + i];
      f.id = id[i];
      f.time = t[i];
      f.master = static_cast<std::uint8_t>(m[i]);
      f.obsnum = ob[i];
      f.subobsnum = static_cast<std::int32_t>(sub[i]);
      f.scannum = static_cast<std::int32_t>(scan[i]);
      f.kind = static_cast<DataKindBits>(kind[i]);
      f.goal = static_cast<assoc::GoalClass>(goal[i]);
      f.ingest_seq = seq[i];
    }
  }
  return out;
}

std::string join_ints(const std::vector<std::int64_t>& v) {
  std::string s;
  s.reserve(v.size() * 8);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(v[i]);
  }
  return s;
}

// "(1,2,3)" for IN; large lists go through one string (parsing thousands of
// literals is slower than splitting one string).
std::string in_list(const std::vector<std::int64_t>& v) {
  std::string out;
  if (v.size() <= 1024) {
    out.append("(").append(join_ints(v)).append(")");
  } else {
    out.append("(SELECT unnest(CAST(string_split('").append(join_ints(v)).append("', ',') AS BIGINT[])))");
  }
  return out;
}

std::vector<std::int64_t> unique_sorted(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// "(time, master code, obsnum, subobsnum, scannum) <op> pos" on the raw
// columns; op is "<=" or ">". Row comparison written out.
std::string pos_condition(const SeqPos& p, bool at_or_before) {
  const char* lt = at_or_before ? "<" : ">";
  std::string t = fmt::format("epoch_us(obs_start_time)");
  return fmt::format(
      "({t} {lt} {T} OR ({t} = {T} AND (({m}) {lt} {M} OR (({m}) = {M} AND (obsnum {lt} {O} OR (obsnum = {O} AND "
      "(subobsnum {lt} {S} OR (subobsnum = {S} AND scannum {le} {C}))))))))",
      fmt::arg("t", t), fmt::arg("lt", lt), fmt::arg("T", p.time), fmt::arg("m", kMasterCode),
      fmt::arg("M", static_cast<int>(p.master)), fmt::arg("O", p.obsnum), fmt::arg("S", p.subobsnum),
      fmt::arg("C", p.scannum), fmt::arg("le", at_or_before ? "<=" : ">"));
}

std::string order_by_pos(bool desc) {
  const char* d = desc ? " DESC" : "";
  return fmt::format(" ORDER BY obs_start_time{0} NULLS {1}, ({2}){0}, obsnum{0}, subobsnum{0}, scannum{0} LIMIT 1", d,
                     desc ? "LAST" : "FIRST", kMasterCode);
}

std::string group_select(GroupType t) {
  return fmt::format(
      "SELECT id::BIGINT, uid, name, coalesce(n_items, 0)::BIGINT, coalesce(first_obsnum, 0)::BIGINT, "
      "coalesce(last_obsnum, 0)::BIGINT, coalesce(epoch_us(latest_member_time), {0})::BIGINT, "
      "coalesce(epoch_us(obs_start_time), {0})::BIGINT, ({1})::BIGINT, coalesce(obsnum, 0)::BIGINT, "
      "coalesce(subobsnum, 0)::BIGINT, coalesce(scannum, 0)::BIGINT FROM products WHERE product_type = '{2}'",
      kNoTimeSql, kMasterCode, assoc::group_product_type(t));
}

std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// An appender on a subset of columns (the others take their defaults).
Appender column_appender(Connection& con, const std::string& table, const std::vector<const char*>& cols) {
  duckdb_appender app = nullptr;
  if (duckdb_appender_create(con.handle(), nullptr, table.c_str(), &app) == DuckDBError) {
    std::string msg = duckdb_appender_error(app) ? duckdb_appender_error(app) : "cannot create appender";
    duckdb_appender_destroy(&app);
    throw DbError(fmt::format("appender for {}: {}", table, msg));
  }
  Appender a(app, table);
  for (const char* c : cols)
    if (duckdb_appender_add_column(app, c) == DuckDBError)
      throw DbError(fmt::format("appender for {}: cannot add column {}", table, c));
  return a;
}

std::vector<std::int64_t> next_ids(Connection& con, const char* sequence, std::size_t n) {
  std::vector<std::int64_t> ids;
  ids.reserve(n);
  if (n == 0) return ids;
  auto r = con.query(fmt::format("SELECT nextval('{}')::BIGINT FROM range({})", sequence, n));
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk()) {
    const auto* d = c.data<std::int64_t>(0);
    ids.insert(ids.end(), d, d + c.size());
  }
  return ids;
}

}  // namespace

// ---- stats ------------------------------------------------------------------

RawObsStats AssocRepo::raw_obs_stats() {
  auto rows = s_.con()
                  .query("SELECT count(*)::BIGINT, coalesce(max(id), 0)::BIGINT, coalesce(max(ingest_seq), 0)::BIGINT "
                         "FROM products WHERE product_type = 'dp_raw_obs'")
                  .rows();
  return {std::get<std::int64_t>(rows[0][0]), std::get<std::int64_t>(rows[0][1]), std::get<std::int64_t>(rows[0][2])};
}

std::int64_t AssocRepo::count_raw_obs_up_to_id(std::int64_t max_id) {
  return s_.con()
      .scalar_int(fmt::format("SELECT count(*) FROM products WHERE product_type = 'dp_raw_obs' AND id <= {}", max_id))
      .value_or(0);
}

std::int64_t AssocRepo::count_pending(std::int64_t watermark) {
  return s_.con()
      .scalar_int(fmt::format("SELECT count(*) FROM products WHERE product_type = 'dp_raw_obs' AND ingest_seq > {}",
                              watermark))
      .value_or(0);
}

std::optional<std::string> AssocRepo::instance_id(bool create) {
  auto& con = s_.con();
  auto v = con.scalar_string("SELECT value FROM schema_meta WHERE key = 'instance_id'");
  if (v || !create) return v;
  con.execute("INSERT INTO schema_meta (key, value) VALUES ('instance_id', uuid()::VARCHAR) ON CONFLICT DO NOTHING");
  return con.scalar_string("SELECT value FROM schema_meta WHERE key = 'instance_id'");
}

// ---- facts ------------------------------------------------------------------

std::vector<ObsFact> AssocRepo::all_facts() { return read_facts(s_.con().query(fact_select())); }

std::vector<ObsFact> AssocRepo::pending_facts(std::int64_t watermark, std::int64_t limit) {
  std::string sql = fact_select() + fmt::format(" AND ingest_seq > {} ORDER BY ingest_seq", watermark);
  if (limit > 0) sql += fmt::format(" LIMIT {}", limit);
  return read_facts(s_.con().query(sql));
}

std::vector<ObsFact> AssocRepo::facts_by_ids(const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return {};
  return read_facts(s_.con().query(fact_select() + " AND id IN " + in_list(unique_sorted(ids))));
}

std::vector<ObsFact> AssocRepo::facts_by_obsnums(const std::vector<std::int64_t>& obsnums) {
  if (obsnums.empty()) return {};
  return read_facts(s_.con().query(fact_select() + " AND obsnum IN " + in_list(unique_sorted(obsnums))));
}

std::optional<ObsFact> AssocRepo::last_vna_at_or_before(const SeqPos& pos, std::optional<std::int64_t> hint) {
  auto& con = s_.con();
  const std::string base = fact_select() + " AND (data_kind & 1) <> 0";
  auto one = [&](const std::string& where) -> std::optional<ObsFact> {
    auto v = read_facts(con.query(base + where + order_by_pos(true)));
    if (v.empty()) return std::nullopt;
    return v.front();
  };
  if (pos.time == assoc::kNoTime) {
    // Only observations without a start time can be at or before.
    return one(fmt::format(
        " AND obs_start_time IS NULL AND (({0}) < {1} OR (({0}) = {1} AND (obsnum < {2} OR (obsnum = {2} AND "
        "(subobsnum < {3} OR (subobsnum = {3} AND scannum <= {4}))))))",
        kMasterCode, static_cast<int>(pos.master), pos.obsnum, pos.subobsnum, pos.scannum));
  }
  const std::string cond = " AND " + pos_condition(pos, true);
  // Narrow first tries (zone maps skip the rest of the table), then everything.
  std::vector<std::int64_t> starts;
  if (hint && *hint <= pos.time) starts.push_back(*hint);
  starts.push_back(pos.time - 2 * kDay);
  for (std::int64_t start : starts) {
    if (auto f = one(fmt::format(" AND obs_start_time BETWEEN make_timestamp({}) AND make_timestamp({})", start,
                                 pos.time) +
                     cond))
      return f;
  }
  if (auto f = one(fmt::format(" AND obs_start_time <= make_timestamp({})", pos.time) + cond)) return f;
  return one(" AND obs_start_time IS NULL");
}

std::optional<ObsFact> AssocRepo::first_vna_after(const SeqPos& pos) {
  auto& con = s_.con();
  const std::string base = fact_select() + " AND (data_kind & 1) <> 0";
  auto one = [&](const std::string& where) -> std::optional<ObsFact> {
    auto v = read_facts(con.query(base + where + order_by_pos(false)));
    if (v.empty()) return std::nullopt;
    return v.front();
  };
  if (pos.time == assoc::kNoTime) {
    if (auto f = one(fmt::format(
            " AND obs_start_time IS NULL AND (({0}) > {1} OR (({0}) = {1} AND (obsnum > {2} OR (obsnum = {2} AND "
            "(subobsnum > {3} OR (subobsnum = {3} AND scannum > {4}))))))",
            kMasterCode, static_cast<int>(pos.master), pos.obsnum, pos.subobsnum, pos.scannum)))
      return f;
    return one(" AND obs_start_time IS NOT NULL");
  }
  const std::string cond = " AND " + pos_condition(pos, false);
  if (auto f = one(fmt::format(" AND obs_start_time BETWEEN make_timestamp({}) AND make_timestamp({})", pos.time,
                               pos.time + 2 * kDay) +
                   cond))
    return f;
  return one(fmt::format(" AND obs_start_time >= make_timestamp({})", pos.time) + cond);
}

std::vector<ObsFact> AssocRepo::sweeps_between(std::optional<std::int64_t> t_lo, std::optional<std::int64_t> t_hi) {
  std::string sql = fact_select() + " AND (data_kind & 7) <> 0";
  if (t_lo && t_hi)
    sql += fmt::format(" AND obs_start_time BETWEEN make_timestamp({}) AND make_timestamp({})", *t_lo, *t_hi);
  else if (t_lo)
    sql += fmt::format(" AND obs_start_time >= make_timestamp({})", *t_lo);
  else if (t_hi)
    sql += fmt::format(" AND (obs_start_time <= make_timestamp({}) OR obs_start_time IS NULL)", *t_hi);
  return read_facts(s_.con().query(sql));
}

std::vector<ObsFact> AssocRepo::target_sweeps_with_obsnums(const std::vector<std::int64_t>& obsnums) {
  if (obsnums.empty()) return {};
  return read_facts(
      s_.con().query(fact_select() + " AND (data_kind & 2) <> 0 AND obsnum IN " + in_list(unique_sorted(obsnums))));
}

std::vector<ObsFact> AssocRepo::goal_obs(assoc::GoalClass goal, std::uint8_t master, std::int64_t lo,
                                         std::int64_t hi) {
  const char* goals = goal == assoc::GoalClass::focus ? "('focus')" : "('astig', 'astigmatism')";
  return read_facts(s_.con().query(fact_select() + fmt::format(" AND obsnum BETWEEN {} AND {} AND ({}) = {} AND "
                                                               "lower(obs_goal) IN {}",
                                                               lo, hi, kMasterCode, static_cast<int>(master), goals)));
}

// ---- stored groups --------------------------------------------------------

namespace {

std::vector<StoredGroup> read_groups(Connection& con, GroupType t, const std::string& sql, bool all_members) {
  std::vector<StoredGroup> out;
  auto r = con.query(sql);
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk()) {
    for (std::size_t i = 0; i < c.size(); ++i) {
      StoredGroup g;
      g.id = c.data<std::int64_t>(0)[i];
      g.uid = std::string(c.string(1, i));
      g.name = std::string(c.string(2, i));
      g.n_items = c.data<std::int64_t>(3)[i];
      g.first_obsnum = c.data<std::int64_t>(4)[i];
      g.last_obsnum = c.data<std::int64_t>(5)[i];
      g.latest_time = c.data<std::int64_t>(6)[i];
      g.first_pos.time = c.data<std::int64_t>(7)[i];
      g.first_pos.master = static_cast<std::uint8_t>(c.data<std::int64_t>(8)[i]);
      g.first_pos.obsnum = c.data<std::int64_t>(9)[i];
      g.first_pos.subobsnum = static_cast<std::int32_t>(c.data<std::int64_t>(10)[i]);
      g.first_pos.scannum = static_cast<std::int32_t>(c.data<std::int64_t>(11)[i]);
      out.push_back(std::move(g));
    }
  }
  if (out.empty()) return out;
  std::unordered_map<std::int64_t, std::size_t> index;
  index.reserve(out.size());
  std::vector<std::int64_t> ids;
  ids.reserve(out.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    index.emplace(out[i].id, i);
    ids.push_back(out[i].id);
  }
  std::string esql = fmt::format(
      "SELECT src_product_id::BIGINT, dst_product_id::BIGINT, id::BIGINT FROM edges WHERE assoc_type = '{}'",
      assoc::group_edge_type(t));
  if (!all_members) esql += " AND src_product_id IN " + in_list(unique_sorted(ids));
  esql += " ORDER BY src_product_id, dst_product_id";
  auto er = con.query(esql);
  for (Chunk c = er.next_chunk(); c && c.size() > 0; c = er.next_chunk()) {
    const auto* src = c.data<std::int64_t>(0);
    const auto* dst = c.data<std::int64_t>(1);
    const auto* eid = c.data<std::int64_t>(2);
    for (std::size_t i = 0; i < c.size(); ++i) {
      auto it = index.find(src[i]);
      if (it == index.end()) continue;  // an edge of a group that is not a product of this type
      out[it->second].members.push_back(dst[i]);
      out[it->second].edge_ids.push_back(eid[i]);
    }
  }
  return out;
}

}  // namespace

std::vector<StoredGroup> AssocRepo::groups_all(GroupType t) {
  return read_groups(s_.con(), t, group_select(t), true);
}

std::vector<StoredGroup> AssocRepo::groups_by_ids(GroupType t, const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return {};
  return read_groups(s_.con(), t, group_select(t) + " AND id IN " + in_list(unique_sorted(ids)), false);
}

std::vector<StoredGroup> AssocRepo::groups_by_uids(GroupType t, const std::vector<std::string>& uids) {
  if (uids.empty()) return {};
  std::string list;
  for (std::size_t i = 0; i < uids.size(); ++i) {
    if (i) list.push_back(',');
    list.append(quote_literal(uids[i]));
  }
  std::string sql = group_select(t);
  sql.append(" AND uid IN (").append(list).append(")");
  return read_groups(s_.con(), t, sql, false);
}

std::vector<std::int64_t> AssocRepo::group_ids_with_members(GroupType t, const std::vector<std::int64_t>& member_ids) {
  std::vector<std::int64_t> out;
  if (member_ids.empty()) return out;
  auto r = s_.con().query(fmt::format("SELECT DISTINCT src_product_id::BIGINT FROM edges WHERE assoc_type = '{}' AND "
                                      "dst_product_id IN {}",
                                      assoc::group_edge_type(t), in_list(unique_sorted(member_ids))));
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
    out.insert(out.end(), c.data<std::int64_t>(0), c.data<std::int64_t>(0) + c.size());
  return out;
}

std::vector<StoredGroup> AssocRepo::groups_overlapping_time(GroupType t, std::optional<std::int64_t> t_lo,
                                                            std::optional<std::int64_t> t_hi) {
  std::string sql = group_select(t);
  if (t_hi) sql += fmt::format(" AND (obs_start_time <= make_timestamp({}) OR obs_start_time IS NULL)", *t_hi);
  if (t_lo) sql += fmt::format(" AND latest_member_time >= make_timestamp({})", *t_lo);
  return read_groups(s_.con(), t, sql, false);
}

std::vector<StoredGroup> AssocRepo::groups_with_first_obsnums(GroupType t, const std::vector<std::int64_t>& obsnums) {
  if (obsnums.empty()) return {};
  return read_groups(s_.con(), t, group_select(t) + " AND obsnum IN " + in_list(unique_sorted(obsnums)), false);
}

std::vector<StoredGroup> AssocRepo::groups_overlapping_obsnums(GroupType t, std::uint8_t master, std::int64_t lo,
                                                               std::int64_t hi) {
  return read_groups(s_.con(), t,
                     group_select(t) + fmt::format(" AND ({}) = {} AND first_obsnum <= {} AND last_obsnum >= {}",
                                                   kMasterCode, static_cast<int>(master), hi, lo),
                     false);
}

std::int64_t AssocRepo::count_groups(GroupType t) {
  return s_.con()
      .scalar_int(fmt::format("SELECT count(*) FROM products WHERE product_type = '{}'", assoc::group_product_type(t)))
      .value_or(0);
}

// ---- cal pointers and edges ---------------------------------------------------

namespace {

constexpr const char* kPointerSelect =
    "SELECT product_id::BIGINT, cal_obsnum::BIGINT, coalesce(cal_subobsnum, 0)::BIGINT, "
    "coalesce(cal_scannum, 0)::BIGINT, "
    "bit_or(CASE WHEN roach BETWEEN 0 AND 31 THEN (1::BIGINT << roach::BIGINT) ELSE 0::BIGINT END)::BIGINT "
    "FROM sources WHERE cal_obsnum IS NOT NULL AND is_raw";
constexpr const char* kPointerGroup = " GROUP BY product_id, cal_obsnum, cal_subobsnum, cal_scannum";

std::vector<CalPointer> read_pointers(Result r) {
  std::vector<CalPointer> out;
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk()) {
    const auto* src = c.data<std::int64_t>(0);
    const auto* ob = c.data<std::int64_t>(1);
    const auto* sub = c.data<std::int64_t>(2);
    const auto* scan = c.data<std::int64_t>(3);
    const auto* mask = c.data<std::int64_t>(4);
    for (std::size_t i = 0; i < c.size(); ++i)
      out.push_back(CalPointer{src[i], ob[i], static_cast<std::int32_t>(sub[i]), static_cast<std::int32_t>(scan[i]),
                               static_cast<std::uint32_t>(mask[i])});
  }
  return out;
}

std::vector<StoredCalEdge> read_cal_edges(Result r) {
  std::vector<StoredCalEdge> out;
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
    for (std::size_t i = 0; i < c.size(); ++i)
      out.push_back(StoredCalEdge{c.data<std::int64_t>(0)[i], c.data<std::int64_t>(1)[i], c.data<std::int64_t>(2)[i],
                                  c.is_null(3, i) ? std::string() : std::string(c.string(3, i))});
  return out;
}

constexpr const char* kCalEdgeSelect =
    "SELECT id::BIGINT, src_product_id::BIGINT, dst_product_id::BIGINT, context::VARCHAR FROM edges "
    "WHERE assoc_type = 'dpa_raw_obs_cal_obs'";

}  // namespace

std::vector<CalPointer> AssocRepo::all_pointers() {
  return read_pointers(s_.con().query(std::string(kPointerSelect) + kPointerGroup));
}

std::vector<CalPointer> AssocRepo::pointers_of(const std::vector<std::int64_t>& src_ids) {
  if (src_ids.empty()) return {};
  return read_pointers(s_.con().query(std::string(kPointerSelect) + " AND product_id IN " +
                                      in_list(unique_sorted(src_ids)) + kPointerGroup));
}

std::vector<CalPointer> AssocRepo::pointers_to_obsnums(const std::vector<std::int64_t>& obsnums) {
  if (obsnums.empty()) return {};
  return read_pointers(s_.con().query(std::string(kPointerSelect) + " AND cal_obsnum IN " +
                                      in_list(unique_sorted(obsnums)) + kPointerGroup));
}

std::vector<StoredCalEdge> AssocRepo::cal_edges_all() { return read_cal_edges(s_.con().query(kCalEdgeSelect)); }

std::vector<StoredCalEdge> AssocRepo::cal_edges_from(const std::vector<std::int64_t>& src_ids) {
  if (src_ids.empty()) return {};
  return read_cal_edges(
      s_.con().query(std::string(kCalEdgeSelect) + " AND src_product_id IN " + in_list(unique_sorted(src_ids))));
}

std::int64_t AssocRepo::count_cal_edges() {
  return s_.con().scalar_int("SELECT count(*) FROM edges WHERE assoc_type = 'dpa_raw_obs_cal_obs'").value_or(0);
}

AssocDump AssocRepo::dump() {
  AssocDump d;
  auto& con = s_.con();
  {
    auto r = con.query(fmt::format(
        "SELECT product_type, uid, name, coalesce(n_items, 0)::BIGINT, coalesce(first_obsnum, 0)::BIGINT, "
        "coalesce(last_obsnum, 0)::BIGINT, coalesce(epoch_us(obs_start_time), {0})::BIGINT, "
        "coalesce(epoch_us(latest_member_time), {0})::BIGINT FROM products WHERE product_type IN ('dp_cal_group', "
        "'dp_drivefit', 'dp_focus_group', 'dp_astig_group') ORDER BY uid",
        kNoTimeSql));
    for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
      for (std::size_t i = 0; i < c.size(); ++i) {
        AssocDump::G g;
        g.product_type = std::string(c.string(0, i));
        g.uid = std::string(c.string(1, i));
        g.name = std::string(c.string(2, i));
        g.n_items = c.data<std::int64_t>(3)[i];
        g.first_obsnum = c.data<std::int64_t>(4)[i];
        g.last_obsnum = c.data<std::int64_t>(5)[i];
        g.first_time = c.data<std::int64_t>(6)[i];
        g.latest_time = c.data<std::int64_t>(7)[i];
        d.groups.push_back(std::move(g));
      }
  }
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < d.groups.size(); ++i) index.emplace(d.groups[i].uid, i);
  {
    auto r = con.query(
        "SELECT g.uid, m.uid FROM edges e JOIN products g ON g.id = e.src_product_id JOIN products m ON m.id = "
        "e.dst_product_id WHERE e.assoc_type IN ('dpa_cal_group_raw_obs', 'dpa_drivefit_raw_obs', "
        "'dpa_focus_group_raw_obs', 'dpa_astig_group_raw_obs') ORDER BY g.uid, m.uid");
    for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
      for (std::size_t i = 0; i < c.size(); ++i) {
        auto it = index.find(std::string(c.string(0, i)));
        if (it != index.end()) d.groups[it->second].members.emplace_back(c.string(1, i));
      }
  }
  {
    auto r = con.query(
        "SELECT s.uid, t.uid, e.context::VARCHAR FROM edges e JOIN products s ON s.id = e.src_product_id JOIN "
        "products t ON t.id = e.dst_product_id WHERE e.assoc_type = 'dpa_raw_obs_cal_obs' ORDER BY s.uid, t.uid");
    for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
      for (std::size_t i = 0; i < c.size(); ++i)
        d.cal_edges.push_back({std::string(c.string(0, i)), std::string(c.string(1, i)),
                               c.is_null(2, i) ? std::string() : std::string(c.string(2, i))});
  }
  return d;
}

// ---- writing ------------------------------------------------------------------

void AssocRepo::apply(const StoreDiff& d) {
  auto& con = s_.con();
  const std::int64_t now = now_micros();
  if (!d.deleted.empty()) {
    const std::string l = in_list(unique_sorted(d.deleted));
    con.execute("DELETE FROM edges WHERE src_product_id IN " + l);
    con.execute("DELETE FROM edges WHERE dst_product_id IN " + l);
    con.execute("DELETE FROM products WHERE id IN " + l);
  }
  if (!d.removed_edges.empty()) con.execute("DELETE FROM edges WHERE id IN " + in_list(unique_sorted(d.removed_edges)));

  if (!d.updated.empty()) {
    auto st = con.prepare(
        "UPDATE products SET name = $2, n_items = $3, first_obsnum = $4, last_obsnum = $5, latest_member_time = $6, "
        "obs_start_time = $7, updated_at = $8 WHERE id = $1");
    for (const auto& u : d.updated) {
      if (!u.row_changed) continue;
      const auto& g = u.group;
      st.bind(1, u.id).bind(2, g.name()).bind(3, g.n()).bind(4, g.first_obsnum).bind(5, g.last_obsnum);
      if (g.latest_time == assoc::kNoTime) st.bind_null(6); else st.bind(6, Timestamp{g.latest_time});
      if (g.first_time == assoc::kNoTime) st.bind_null(7); else st.bind(7, Timestamp{g.first_time});
      st.bind(8, Timestamp{now}).execute();
    }
  }

  std::size_t n_edges = d.cal_added.size();
  for (const auto& g : d.created) n_edges += g.members.size();
  for (const auto& u : d.updated) n_edges += u.add_members.size();

  std::vector<std::int64_t> group_ids = next_ids(con, "seq_products", d.created.size());
  if (!d.created.empty()) {
    auto app = column_appender(con, "products",
                               {"id", "product_type", "uid", "name", "master", "obsnum", "subobsnum", "scannum",
                                "data_kind", "obs_start_time", "n_items", "first_obsnum", "last_obsnum",
                                "latest_member_time", "created_at", "updated_at"});
    for (std::size_t i = 0; i < d.created.size(); ++i) {
      const auto& g = d.created[i];
      app.append(group_ids[i]).append(assoc::group_product_type(g.type)).append(g.uid()).append(g.name());
      app.append(to_string(g.first.master)).append(g.first.obsnum).append(std::int64_t{g.first.subobsnum});
      app.append(std::int64_t{g.first.scannum}).append(std::int64_t{0});
      if (g.first_time == assoc::kNoTime) app.append_null(); else app.append(Timestamp{g.first_time});
      app.append(g.n()).append(g.first_obsnum).append(g.last_obsnum);
      if (g.latest_time == assoc::kNoTime) app.append_null(); else app.append(Timestamp{g.latest_time});
      app.append(Timestamp{now}).append(Timestamp{now}).end_row();
    }
    app.close();
  }
  if (n_edges > 0) {
    std::vector<std::int64_t> edge_ids = next_ids(con, "seq_edges", n_edges);
    std::size_t k = 0;
    auto app = column_appender(con, "edges",
                               {"id", "assoc_type", "src_product_id", "dst_product_id", "context", "created_at"});
    auto member_edge = [&](GroupType t, std::int64_t src, std::int64_t dst) {
      app.append(edge_ids[k++]).append(assoc::group_edge_type(t)).append(src).append(dst).append_null();
      app.append(Timestamp{now}).end_row();
    };
    for (std::size_t i = 0; i < d.created.size(); ++i)
      for (std::int64_t m : d.created[i].members) member_edge(d.created[i].type, group_ids[i], m);
    for (const auto& u : d.updated)
      for (std::int64_t m : u.add_members) member_edge(u.group.type, u.id, m);
    for (const auto& e : d.cal_added) {
      app.append(edge_ids[k++]).append(assoc::kCalObsEdgeType).append(e.src).append(e.dst);
      app.append(assoc::cal_edge_context(e.roach_mask)).append(Timestamp{now}).end_row();
    }
    app.close();
  }
}

void AssocRepo::log_event(const std::string& message, const std::string& details_json) {
  auto st = s_.con().prepare("INSERT INTO events (kind, subject, message, details) VALUES ('assoc', 'assoc', $1, $2)");
  st.bind(1, message).bind(2, details_json).execute();
}

// ---- named groups ---------------------------------------------------------------

std::vector<std::int64_t> AssocRepo::resolve_spec(const query::ObsSpec& spec) {
  BoundSql cond = spec_condition({spec}, SpecTarget::observations);
  auto st = s_.con().prepare(fmt::format(
      "SELECT p.id::BIGINT FROM products p WHERE p.product_type = 'dp_raw_obs' AND {} ORDER BY p.obs_start_time, "
      "CASE p.master WHEN 'tcs' THEN 0 WHEN 'ics' THEN 1 ELSE 2 END, p.obsnum, p.subobsnum, p.scannum",
      cond.sql));
  for (std::size_t i = 0; i < cond.params.size(); ++i) st.bind_value(i + 1, cond.params[i]);
  std::vector<std::int64_t> out;
  auto r = st.execute();
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
    out.insert(out.end(), c.data<std::int64_t>(0), c.data<std::int64_t>(0) + c.size());
  return out;
}

std::optional<std::int64_t> AssocRepo::product_by_uid_or_name(const std::string& text) {
  auto st = s_.con().prepare(
      "SELECT id::BIGINT FROM products WHERE uid = $1 OR name = $1 ORDER BY (uid = $1) DESC, id LIMIT 1");
  st.bind(1, text);
  auto rows = st.execute().rows();
  if (rows.empty()) return std::nullopt;
  return std::get<std::int64_t>(rows[0][0]);
}

std::optional<std::int64_t> AssocRepo::named_group_id(const std::string& name) {
  auto st = s_.con().prepare("SELECT id::BIGINT FROM products WHERE uid = $1");
  st.bind(1, "named:" + name);
  auto rows = st.execute().rows();
  if (rows.empty()) return std::nullopt;
  return std::get<std::int64_t>(rows[0][0]);
}

std::int64_t AssocRepo::create_named_group(const std::string& name) {
  auto st = s_.con().prepare(
      "INSERT INTO products (product_type, uid, name, n_items) VALUES ('dp_named_group', $1, $2, 0) RETURNING id");
  st.bind(1, "named:" + name).bind(2, name);
  auto rows = st.execute().rows();
  return std::get<std::int64_t>(rows[0][0]);
}

namespace {
void refresh_named(Connection& con, std::int64_t gid) {
  con.execute(fmt::format(
      "UPDATE products SET n_items = (SELECT count(*) FROM edges WHERE assoc_type = 'dpa_named_group_data_prod' AND "
      "src_product_id = {0}), first_obsnum = (SELECT min(p.obsnum) FROM edges e JOIN products p ON p.id = "
      "e.dst_product_id WHERE e.assoc_type = 'dpa_named_group_data_prod' AND e.src_product_id = {0}), last_obsnum = "
      "(SELECT max(p.obsnum) FROM edges e JOIN products p ON p.id = e.dst_product_id WHERE e.assoc_type = "
      "'dpa_named_group_data_prod' AND e.src_product_id = {0}), latest_member_time = (SELECT max(p.obs_start_time) "
      "FROM edges e JOIN products p ON p.id = e.dst_product_id WHERE e.assoc_type = 'dpa_named_group_data_prod' AND "
      "e.src_product_id = {0}), updated_at = current_timestamp::TIMESTAMP WHERE id = {0}",
      gid));
}
}  // namespace

std::int64_t AssocRepo::add_named_members(std::int64_t gid, const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return 0;
  auto& con = s_.con();
  auto r = con.query(fmt::format(
      "INSERT INTO edges (assoc_type, src_product_id, dst_product_id) SELECT 'dpa_named_group_data_prod', {0}, m.id "
      "FROM (SELECT DISTINCT unnest AS id FROM (SELECT unnest(CAST(string_split('{1}', ',') AS BIGINT[])))) m "
      "WHERE m.id NOT IN (SELECT dst_product_id FROM edges WHERE assoc_type = 'dpa_named_group_data_prod' AND "
      "src_product_id = {0})",
      gid, join_ints(ids)));
  const std::int64_t n = r.rows_changed();
  refresh_named(con, gid);
  return n;
}

std::int64_t AssocRepo::remove_named_members(std::int64_t gid, const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return 0;
  auto& con = s_.con();
  auto r = con.query(fmt::format(
      "DELETE FROM edges WHERE assoc_type = 'dpa_named_group_data_prod' AND src_product_id = {} AND dst_product_id IN {}",
      gid, in_list(unique_sorted(ids))));
  const std::int64_t n = r.rows_changed();
  refresh_named(con, gid);
  return n;
}

void AssocRepo::delete_named_group(std::int64_t gid) {
  auto& con = s_.con();
  con.execute(fmt::format("DELETE FROM edges WHERE src_product_id = {0} OR dst_product_id = {0}", gid));
  con.execute(fmt::format("DELETE FROM products WHERE id = {} AND product_type = 'dp_named_group'", gid));
}

std::vector<AssocRepo::NamedGroupRow> AssocRepo::named_groups() {
  std::vector<NamedGroupRow> out;
  auto r = s_.con().query(
      "SELECT id::BIGINT, name, coalesce(n_items, 0)::BIGINT, epoch_us(created_at)::BIGINT, "
      "epoch_us(updated_at)::BIGINT FROM products WHERE product_type = 'dp_named_group' ORDER BY name");
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
    for (std::size_t i = 0; i < c.size(); ++i)
      out.push_back({c.data<std::int64_t>(0)[i], std::string(c.string(1, i)), c.data<std::int64_t>(2)[i],
                     c.data<std::int64_t>(3)[i], c.data<std::int64_t>(4)[i]});
  return out;
}

std::vector<std::string> AssocRepo::named_members(std::int64_t gid) {
  std::vector<std::string> out;
  auto r = s_.con().query(fmt::format(
      "SELECT p.uid FROM edges e JOIN products p ON p.id = e.dst_product_id WHERE e.assoc_type = "
      "'dpa_named_group_data_prod' AND e.src_product_id = {} ORDER BY p.obs_start_time NULLS LAST, p.uid",
      gid));
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
    for (std::size_t i = 0; i < c.size(); ++i) out.emplace_back(c.string(0, i));
  return out;
}

// ---- database state backend --------------------------------------------------

std::optional<std::string> AssocRepo::read_state() {
  return s_.con().scalar_string("SELECT value::VARCHAR FROM assoc_state WHERE key = 'engine'");
}

void AssocRepo::write_state(const std::string& json) {
  auto st = s_.con().prepare(
      "INSERT INTO assoc_state (key, value, updated_at) VALUES ('engine', $1, current_timestamp::TIMESTAMP) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
  st.bind(1, json).execute();
}

void AssocRepo::delete_state() { s_.con().execute("DELETE FROM assoc_state WHERE key = 'engine'"); }

}  // namespace tolteca::db
