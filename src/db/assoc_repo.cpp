#include "db/assoc_repo.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "db/duckdb.h"
#include "db/query_repo.h"

namespace tolteca::db {

using assoc::CalPointer;
using assoc::GroupType;
using assoc::ObsFact;
using assoc::SeqPos;

namespace {

// TOLTECA_ASSOC_TRACE=1 prints every query of the engine with its time (stderr).
bool trace_on() {
  static const bool on = [] {
    const char* e = std::getenv("TOLTECA_ASSOC_TRACE");
    return e && *e && *e != '0';
  }();
  return on;
}

Result run(Connection& con, const std::string& sql) {
  if (!trace_on()) return con.query(sql);
  const auto t0 = std::chrono::steady_clock::now();
  Result r = con.query(sql);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "[assoc sql %7.2f ms] %.400s\n", ms, sql.c_str());
  return r;
}

constexpr const char* kNoTimeSql = "(-9223372036854775807 - 1)";

// Integer column of any width, with NULL -> a default.
class IntCol {
 public:
  IntCol(const Chunk& c, std::size_t col, duckdb_type type) : valid_(c.validity(col)), type_(type) {
    switch (type) {
      case DUCKDB_TYPE_BIGINT:
      case DUCKDB_TYPE_TIMESTAMP:
      case DUCKDB_TYPE_TIMESTAMP_TZ: p64_ = c.data<std::int64_t>(col); break;
      case DUCKDB_TYPE_INTEGER: p32_ = c.data<std::int32_t>(col); break;
      case DUCKDB_TYPE_SMALLINT: p16_ = c.data<std::int16_t>(col); break;
      default: throw DbError(fmt::format("association engine: unexpected column type {}", static_cast<int>(type)));
    }
  }
  std::int64_t get(std::size_t row, std::int64_t dflt) const {
    if (!Chunk::valid(valid_, row)) return dflt;
    if (p64_) return p64_[row];
    if (p32_) return p32_[row];
    return p16_[row];
  }

 private:
  const std::uint64_t* valid_;
  duckdb_type type_;
  const std::int64_t* p64_ = nullptr;
  const std::int32_t* p32_ = nullptr;
  const std::int16_t* p16_ = nullptr;
};

std::string_view str_or_empty(const Chunk& c, std::size_t col, const std::uint64_t* valid, std::size_t row) {
  return Chunk::valid(valid, row) ? c.string(col, row) : std::string_view();
}

std::uint8_t master_code(std::string_view m) {
  if (m == "tcs") return 0;
  if (m == "ics") return 1;
  if (m == "clip") return 2;
  return 3;
}

assoc::GoalClass goal_class(std::string_view g) {
  if (g.size() < 5 || g.size() > 11) return assoc::GoalClass::none;
  char buf[12];
  for (std::size_t i = 0; i < g.size(); ++i) buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(g[i])));
  std::string_view l(buf, g.size());
  if (l == "focus") return assoc::GoalClass::focus;
  if (l == "astig" || l == "astigmatism") return assoc::GoalClass::astig;
  return assoc::GoalClass::none;
}

constexpr const char* kFactSelect =
    "SELECT id, obs_start_time, master, obsnum, subobsnum, scannum, data_kind, obs_goal, ingest_seq "
    "FROM products WHERE product_type = 'dp_raw_obs'";

std::vector<ObsFact> read_facts(Result r) {
  std::vector<ObsFact> out;
  duckdb_type types[9];
  for (std::size_t c = 0; c < 9; ++c) types[c] = r.column_type(c);
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk()) {
    const std::size_t n = c.size();
    IntCol id(c, 0, types[0]), t(c, 1, types[1]), ob(c, 3, types[3]), sub(c, 4, types[4]), scan(c, 5, types[5]),
        kind(c, 6, types[6]), seq(c, 8, types[8]);
    const std::uint64_t* mv = c.validity(2);
    const std::uint64_t* gv = c.validity(7);
    const std::size_t base = out.size();
    out.resize(base + n);
    for (std::size_t i = 0; i < n; ++i) {
      ObsFact& f = out[base + i];
      f.id = id.get(i, 0);
      f.time = t.get(i, assoc::kNoTime);
      f.master = master_code(str_or_empty(c, 2, mv, i));
      f.obsnum = ob.get(i, 0);
      f.subobsnum = static_cast<std::int32_t>(sub.get(i, 0));
      f.scannum = static_cast<std::int32_t>(scan.get(i, 0));
      f.kind = static_cast<DataKindBits>(kind.get(i, 0));
      f.goal = goal_class(str_or_empty(c, 7, gv, i));
      f.ingest_seq = seq.get(i, 0);
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

// "(1,2,3)" for IN. Beyond a few values a semi-join on one split string is
// cheaper for DuckDB than a long literal list (measured: bench/RESULTS.md).
std::string in_list(const std::vector<std::int64_t>& v) {
  std::string out;
  if (v.size() <= 32) {
    out.append("(").append(join_ints(v)).append(")");
  } else {
    out.append("(SELECT unnest(CAST(string_split('").append(join_ints(v)).append("', ',') AS BIGINT[])))");
  }
  return out;
}

// "col IN (...)" plus the values' range, which lets DuckDB skip row groups by
// their min/max (it does so itself for literal lists, not for semi-joins).
std::string in_cond(const std::string& col, const std::vector<std::int64_t>& sorted_unique) {
  if (sorted_unique.size() <= 32) return col + " IN " + in_list(sorted_unique);
  return fmt::format("{0} BETWEEN {1} AND {2} AND {0} IN {3}", col, sorted_unique.front(), sorted_unique.back(),
                     in_list(sorted_unique));
}

std::vector<std::int64_t> unique_sorted(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::string ts(std::int64_t micros) { return fmt::format("make_timestamp({})", micros); }

constexpr const char* kGroupCols =
    "SELECT id, uid, name, n_items, first_obsnum, last_obsnum, latest_member_time, obs_start_time, master, obsnum, "
    "subobsnum, scannum, product_type FROM products";

std::string group_select(GroupType t) {
  return fmt::format("{} WHERE product_type = '{}'", kGroupCols, assoc::group_product_type(t));
}

std::optional<GroupType> group_type_of_product(std::string_view pt) {
  for (GroupType t : assoc::kGroupTypes)
    if (assoc::group_product_type(t) == pt) return t;
  return std::nullopt;
}

std::vector<std::pair<GroupType, StoredGroup>> read_group_rows(Result r) {
  std::vector<std::pair<GroupType, StoredGroup>> out;
  duckdb_type types[13];
  for (std::size_t c = 0; c < 13; ++c) types[c] = r.column_type(c);
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk()) {
    IntCol id(c, 0, types[0]), n(c, 3, types[3]), fo(c, 4, types[4]), lo(c, 5, types[5]), lt(c, 6, types[6]),
        st(c, 7, types[7]), ob(c, 9, types[9]), sub(c, 10, types[10]), scan(c, 11, types[11]);
    const std::uint64_t* mv = c.validity(8);
    for (std::size_t i = 0; i < c.size(); ++i) {
      auto t = group_type_of_product(c.string(12, i));
      if (!t) continue;
      StoredGroup g;
      g.id = id.get(i, 0);
      g.uid = std::string(c.string(1, i));
      g.name = std::string(c.string(2, i));
      g.n_items = n.get(i, 0);
      g.first_obsnum = fo.get(i, 0);
      g.last_obsnum = lo.get(i, 0);
      g.latest_time = lt.get(i, assoc::kNoTime);
      g.first_pos.time = st.get(i, assoc::kNoTime);
      g.first_pos.master = master_code(str_or_empty(c, 8, mv, i));
      g.first_pos.obsnum = ob.get(i, 0);
      g.first_pos.subobsnum = static_cast<std::int32_t>(sub.get(i, 0));
      g.first_pos.scannum = static_cast<std::int32_t>(scan.get(i, 0));
      out.emplace_back(*t, std::move(g));
    }
  }
  return out;
}

std::vector<StoredGroup> read_groups(Result r) {
  std::vector<StoredGroup> out;
  for (auto& [t, g] : read_group_rows(std::move(r))) out.push_back(std::move(g));
  return out;
}

std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}


std::vector<std::int64_t> next_ids(Connection& con, const char* sequence, std::size_t n) {
  std::vector<std::int64_t> ids;
  ids.reserve(n);
  if (n == 0) return ids;
  auto r = run(con, fmt::format("SELECT nextval('{}') FROM range({})", sequence, n));
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk()) {
    const auto* d = c.data<std::int64_t>(0);
    ids.insert(ids.end(), d, d + c.size());
  }
  return ids;
}

}  // namespace

// ---- stats ------------------------------------------------------------------

RawObsStats AssocRepo::raw_obs_stats(std::optional<std::int64_t> count_up_to_id) {
  auto r = run(s_.con(), fmt::format("SELECT count(*), coalesce(max(id), 0), coalesce(max(ingest_seq), 0), "
                                     "count(*) FILTER (WHERE id <= {}), epoch_us(min(obs_start_time)), "
                                     "epoch_us(max(obs_start_time)) FROM products WHERE product_type = 'dp_raw_obs'",
                                     count_up_to_id.value_or(0)));
  auto rows = r.rows();
  RawObsStats st{std::get<std::int64_t>(rows[0][0]), std::get<std::int64_t>(rows[0][1]),
                 std::get<std::int64_t>(rows[0][2]), std::nullopt, std::nullopt, std::nullopt};
  if (count_up_to_id) st.count_up_to = std::get<std::int64_t>(rows[0][3]);
  if (auto* v = std::get_if<std::int64_t>(&rows[0][4])) st.min_time = *v;
  if (auto* v = std::get_if<std::int64_t>(&rows[0][5])) st.max_time = *v;
  return st;
}

std::int64_t AssocRepo::count_raw_obs_up_to_id(std::int64_t max_id) {
  return *raw_obs_stats(max_id).count_up_to;
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

std::vector<ObsFact> AssocRepo::all_facts() { return read_facts(run(s_.con(), kFactSelect)); }

std::vector<ObsFact> AssocRepo::pending_facts(std::int64_t watermark, std::int64_t limit) {
  std::string sql = fmt::format("{} AND ingest_seq > {} ORDER BY ingest_seq", kFactSelect, watermark);
  if (limit > 0) sql += fmt::format(" LIMIT {}", limit);
  return read_facts(run(s_.con(), sql));
}

std::vector<ObsFact> AssocRepo::facts_by_ids(const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return {};
  return read_facts(run(s_.con(), fmt::format("{} AND {}", kFactSelect, in_cond("id", unique_sorted(ids)))));
}

std::vector<ObsFact> AssocRepo::facts_by_obsnums(const std::vector<std::int64_t>& obsnums) {
  if (obsnums.empty()) return {};
  return read_facts(run(s_.con(), fmt::format("{} AND obsnum IN {}", kFactSelect, in_list(unique_sorted(obsnums)))));
}

std::vector<ObsFact> AssocRepo::sweeps_between(std::optional<std::int64_t> t_lo, std::optional<std::int64_t> t_hi) {
  std::string sql = fmt::format("{} AND (data_kind & 7) <> 0", kFactSelect);
  if (t_lo && t_hi)
    sql += fmt::format(" AND obs_start_time BETWEEN {} AND {}", ts(*t_lo), ts(*t_hi));
  else if (t_lo)
    sql += fmt::format(" AND obs_start_time >= {}", ts(*t_lo));
  else if (t_hi)
    sql += fmt::format(" AND (obs_start_time <= {} OR obs_start_time IS NULL)", ts(*t_hi));
  return read_facts(run(s_.con(), sql));
}

std::vector<ObsFact> AssocRepo::target_sweeps_with_obsnums(const std::vector<std::int64_t>& obsnums) {
  if (obsnums.empty()) return {};
  return read_facts(run(s_.con(), fmt::format("{} AND (data_kind & 2) <> 0 AND obsnum IN {}", kFactSelect,
                                              in_list(unique_sorted(obsnums)))));
}

std::vector<ObsFact> AssocRepo::goal_obs(assoc::GoalClass goal, std::uint8_t master, std::int64_t lo,
                                         std::int64_t hi) {
  const char* goals = goal == assoc::GoalClass::focus ? "('focus')" : "('astig', 'astigmatism')";
  const char* m = master == 0 ? "tcs" : master == 1 ? "ics" : "clip";
  return read_facts(run(s_.con(), fmt::format("{} AND obsnum BETWEEN {} AND {} AND master = '{}' AND "
                                              "lower(obs_goal) IN {}",
                                              kFactSelect, lo, hi, m, goals)));
}

// ---- stored groups --------------------------------------------------------

void AssocRepo::load_members(GroupType t, std::vector<StoredGroup>& groups, bool all) {
  if (groups.empty()) return;
  std::unordered_map<std::int64_t, std::size_t> index;
  index.reserve(groups.size());
  std::vector<std::int64_t> ids;
  ids.reserve(groups.size());
  for (std::size_t i = 0; i < groups.size(); ++i) {
    groups[i].members.clear();
    groups[i].edge_ids.clear();
    index.emplace(groups[i].id, i);
    ids.push_back(groups[i].id);
  }
  std::string sql = fmt::format("SELECT src_product_id, dst_product_id, id FROM edges WHERE assoc_type = '{}'",
                                assoc::group_edge_type(t));
  if (!all) sql += " AND " + in_cond("src_product_id", unique_sorted(ids));
  auto r = run(s_.con(), sql);
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk()) {
    const auto* src = c.data<std::int64_t>(0);
    const auto* dst = c.data<std::int64_t>(1);
    const auto* eid = c.data<std::int64_t>(2);
    for (std::size_t i = 0; i < c.size(); ++i) {
      auto it = index.find(src[i]);
      if (it == index.end()) continue;  // an edge of a group that is not a product of this type
      groups[it->second].members.push_back(dst[i]);
      groups[it->second].edge_ids.push_back(eid[i]);
    }
  }
  // Members sorted (edge ids kept parallel).
  for (auto& g : groups) {
    std::vector<std::size_t> order(g.members.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(g.members[a], g.edge_ids[a]) < std::tie(g.members[b], g.edge_ids[b]);
    });
    std::vector<std::int64_t> m(order.size()), e(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      m[i] = g.members[order[i]];
      e[i] = g.edge_ids[order[i]];
    }
    g.members = std::move(m);
    g.edge_ids = std::move(e);
  }
}

std::vector<StoredGroup> AssocRepo::groups_all(GroupType t) {
  auto g = read_groups(run(s_.con(), group_select(t)));
  load_members(t, g, true);
  return g;
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
  return read_groups(run(s_.con(), sql));
}

std::vector<std::pair<GroupType, StoredGroup>> AssocRepo::groups_containing(
    const std::vector<std::int64_t>& member_ids) {
  if (member_ids.empty()) return {};
  return read_group_rows(run(
      s_.con(), fmt::format("{} WHERE id IN (SELECT src_product_id FROM edges WHERE assoc_type IN "
                            "('dpa_cal_group_raw_obs', 'dpa_drivefit_raw_obs', 'dpa_focus_group_raw_obs', "
                            "'dpa_astig_group_raw_obs') AND {})",
                            kGroupCols, in_cond("dst_product_id", unique_sorted(member_ids)))));
}

std::vector<StoredGroup> AssocRepo::groups_overlapping_time(GroupType t, std::optional<std::int64_t> t_lo,
                                                            std::optional<std::int64_t> t_hi) {
  std::string sql = group_select(t);
  if (t_hi) sql += fmt::format(" AND (obs_start_time <= {} OR obs_start_time IS NULL)", ts(*t_hi));
  if (t_lo) sql += fmt::format(" AND latest_member_time >= {}", ts(*t_lo));
  return read_groups(run(s_.con(), sql));
}

std::vector<StoredGroup> AssocRepo::groups_with_first_obsnums(GroupType t, const std::vector<std::int64_t>& obsnums) {
  if (obsnums.empty()) return {};
  return read_groups(run(s_.con(), group_select(t) + " AND obsnum IN " + in_list(unique_sorted(obsnums))));
}

std::vector<StoredGroup> AssocRepo::groups_overlapping_obsnums(GroupType t, std::uint8_t master, std::int64_t lo,
                                                               std::int64_t hi) {
  const char* m = master == 0 ? "tcs" : master == 1 ? "ics" : "clip";
  return read_groups(run(s_.con(), group_select(t) + fmt::format(" AND master = '{}' AND first_obsnum <= {} AND "
                                                                 "last_obsnum >= {}",
                                                                 m, hi, lo)));
}

std::int64_t AssocRepo::count_groups(GroupType t) {
  return s_.con()
      .scalar_int(fmt::format("SELECT count(*) FROM products WHERE product_type = '{}'", assoc::group_product_type(t)))
      .value_or(0);
}

// ---- cal pointers and edges ---------------------------------------------------

namespace {

constexpr const char* kPointerSelect =
    "SELECT product_id, cal_obsnum, cal_subobsnum, cal_scannum, "
    "bit_or(CASE WHEN roach BETWEEN 0 AND 31 THEN 1::BIGINT << roach ELSE 0::BIGINT END) "
    "FROM sources WHERE cal_obsnum IS NOT NULL AND is_raw";
constexpr const char* kPointerGroup = " GROUP BY product_id, cal_obsnum, cal_subobsnum, cal_scannum";

std::vector<CalPointer> read_pointers(Result r) {
  std::vector<CalPointer> out;
  duckdb_type types[5];
  for (std::size_t c = 0; c < 5; ++c) types[c] = r.column_type(c);
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk()) {
    IntCol src(c, 0, types[0]), ob(c, 1, types[1]), sub(c, 2, types[2]), scan(c, 3, types[3]), mask(c, 4, types[4]);
    for (std::size_t i = 0; i < c.size(); ++i)
      out.push_back(CalPointer{src.get(i, 0), ob.get(i, 0), static_cast<std::int32_t>(sub.get(i, 0)),
                               static_cast<std::int32_t>(scan.get(i, 0)), static_cast<std::uint32_t>(mask.get(i, 0))});
  }
  return out;
}

std::vector<StoredCalEdge> read_cal_edges(Result r) {
  std::vector<StoredCalEdge> out;
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
    for (std::size_t i = 0; i < c.size(); ++i)
      out.push_back(StoredCalEdge{c.data<std::int64_t>(0)[i], c.data<std::int64_t>(1)[i], c.data<std::int64_t>(2)[i],
                                  std::string(str_or_empty(c, 3, c.validity(3), i))});
  return out;
}

constexpr const char* kCalEdgeSelect =
    "SELECT id, src_product_id, dst_product_id, context FROM edges "
    "WHERE assoc_type = 'dpa_raw_obs_cal_obs'";

}  // namespace

std::vector<CalPointer> AssocRepo::all_pointers() {
  return read_pointers(run(s_.con(), std::string(kPointerSelect) + kPointerGroup));
}

std::vector<CalPointer> AssocRepo::pointers_of(const std::vector<std::int64_t>& src_ids) {
  if (src_ids.empty()) return {};
  return read_pointers(
      run(s_.con(), std::string(kPointerSelect) + " AND " + in_cond("product_id", unique_sorted(src_ids)) + kPointerGroup));
}

std::vector<CalPointer> AssocRepo::pointers_of_or_to(const std::vector<std::int64_t>& src_ids,
                                                     const std::vector<std::int64_t>& obsnums) {
  // Two scans: an OR would defeat the row-group pruning of the first.
  auto a = pointers_of(src_ids);
  auto b = pointers_to_obsnums(obsnums);
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<CalPointer> AssocRepo::pointers_to_obsnums(const std::vector<std::int64_t>& obsnums) {
  if (obsnums.empty()) return {};
  return read_pointers(run(s_.con(), std::string(kPointerSelect) + " AND cal_obsnum IN " +
                                      in_list(unique_sorted(obsnums)) + kPointerGroup));
}

std::vector<StoredCalEdge> AssocRepo::cal_edges_all() { return read_cal_edges(run(s_.con(), kCalEdgeSelect)); }

std::vector<StoredCalEdge> AssocRepo::cal_edges_from(const std::vector<std::int64_t>& src_ids) {
  if (src_ids.empty()) return {};
  return read_cal_edges(
      run(s_.con(), std::string(kCalEdgeSelect) + " AND " + in_cond("src_product_id", unique_sorted(src_ids))));
}

std::int64_t AssocRepo::count_cal_edges() {
  return s_.con().scalar_int("SELECT count(*) FROM edges WHERE assoc_type = 'dpa_raw_obs_cal_obs'").value_or(0);
}

AssocDump AssocRepo::dump() {
  AssocDump d;
  auto& con = s_.con();
  {
    auto r = run(con, fmt::format(
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
    auto r = run(con, 
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
    auto r = run(con, 
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
    run(con, "DELETE FROM edges WHERE src_product_id IN " + l);
    run(con, "DELETE FROM edges WHERE dst_product_id IN " + l);
    run(con, "DELETE FROM products WHERE id IN " + l);
  }
  if (!d.removed_edges.empty()) run(con, "DELETE FROM edges WHERE id IN " + in_list(unique_sorted(d.removed_edges)));

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
    auto app = con.appender("products",
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
    auto app = con.appender("edges",
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
  auto r = run(con, fmt::format(
      "INSERT INTO edges (assoc_type, src_product_id, dst_product_id) SELECT 'dpa_named_group_data_prod', {0}, m.id "
      "FROM (SELECT DISTINCT x AS id FROM (SELECT unnest(CAST(string_split('{1}', ',') AS BIGINT[])) AS x)) m "
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
  auto r = run(con, fmt::format(
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
  auto r = run(s_.con(), 
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
  auto r = run(s_.con(), fmt::format(
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
