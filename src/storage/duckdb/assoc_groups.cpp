// The DuckDB AssocStore: stored groups (product rows + member edges), cal
// pointers (sources.cal_*) and raw_obs_cal_obs edges.
#include <fmt/format.h>

#include <algorithm>
#include <tuple>
#include <unordered_map>

#include "model/product_type.h"
#include "storage/duckdb/assoc_store_impl.h"

namespace tolteca::storage::duckdb {

using namespace detail;

namespace {


constexpr const char* kGroupCols =
    "SELECT id, uid, name, n_items, first_obsnum, last_obsnum, latest_member_time, obs_start_time, master, obsnum, "
    "subobsnum, scannum, product_type FROM products";

std::string group_select(AssocType t) {
  return fmt::format("{} WHERE product_type = {}", kGroupCols, lit(group_product_type(t)));
}


std::vector<std::pair<AssocType, StoredGroup>> read_group_rows(Result r) {
  std::vector<std::pair<AssocType, StoredGroup>> out;
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
      g.latest_time = lt.get(i, kNoTime);
      g.first_pos.time = st.get(i, kNoTime);
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

}  // namespace

// ---- stored groups --------------------------------------------------------

void DuckAssocStore::load_members(AssocType t, std::vector<StoredGroup>& groups, bool all) {
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
  std::string sql = fmt::format("SELECT src_product_id, dst_product_id, id FROM edges WHERE assoc_type = {}",
                                lit(assoc_edge_type(t)));
  if (!all) sql += " AND " + in_cond("src_product_id", unique_sorted(ids));
  auto r = run(sql);
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

std::vector<StoredGroup> DuckAssocStore::groups_all(AssocType t) {
  auto g = read_groups(run(group_select(t)));
  load_members(t, g, true);
  return g;
}

std::vector<StoredGroup> DuckAssocStore::groups_by_uids(AssocType t, const std::vector<std::string>& uids) {
  if (uids.empty()) return {};
  std::string sql = group_select(t);
  sql.append(" AND uid IN ").append(in_list(uids));
  return read_groups(run(sql));
}

std::vector<std::pair<AssocType, StoredGroup>> DuckAssocStore::groups_containing(
    const std::vector<std::int64_t>& member_ids) {
  if (member_ids.empty()) return {};
  return read_group_rows(
      run(fmt::format("{} WHERE id IN (SELECT src_product_id FROM edges WHERE assoc_type IN ({}) AND {})", kGroupCols,
                      member_edge_types_sql(), in_cond("dst_product_id", unique_sorted(member_ids)))));
}

std::vector<StoredGroup> DuckAssocStore::groups_overlapping_time(AssocType t, std::optional<std::int64_t> t_lo,
                                                            std::optional<std::int64_t> t_hi) {
  std::string sql = group_select(t);
  if (t_hi) sql += fmt::format(" AND (obs_start_time <= {} OR obs_start_time IS NULL)", ts(*t_hi));
  if (t_lo) sql += fmt::format(" AND latest_member_time >= {}", ts(*t_lo));
  return read_groups(run(sql));
}

std::vector<StoredGroup> DuckAssocStore::groups_with_first_obsnums(AssocType t, const std::vector<std::int64_t>& obsnums) {
  if (obsnums.empty()) return {};
  return read_groups(run(group_select(t) + " AND obsnum IN " + in_list(unique_sorted(obsnums))));
}

std::vector<StoredGroup> DuckAssocStore::groups_overlapping_obsnums(AssocType t, std::uint8_t master, std::int64_t lo,
                                                               std::int64_t hi) {
  return read_groups(run(group_select(t) + fmt::format(" AND master = '{}' AND first_obsnum <= {} AND "
                                                                 "last_obsnum >= {}",
                                                                 master_text(master), hi, lo)));
}

std::int64_t DuckAssocStore::count_groups(AssocType t) {
  return con()
      .scalar_int(fmt::format("SELECT count(*) FROM products WHERE product_type = {}", lit(group_product_type(t))))
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

const std::string& cal_edge_select() {
  static const std::string sql = fmt::format(
      "SELECT id, src_product_id, dst_product_id, context FROM edges WHERE assoc_type = {}",
      lit(edge_type::raw_obs_cal_obs));
  return sql;
}

}  // namespace

std::vector<CalPointer> DuckAssocStore::all_pointers() {
  return read_pointers(run(std::string(kPointerSelect) + kPointerGroup));
}

std::vector<CalPointer> DuckAssocStore::pointers_of(const std::vector<std::int64_t>& src_ids) {
  if (src_ids.empty()) return {};
  return read_pointers(
      run(std::string(kPointerSelect) + " AND " + in_cond("product_id", unique_sorted(src_ids)) + kPointerGroup));
}

std::vector<CalPointer> DuckAssocStore::pointers_of_or_to(const std::vector<std::int64_t>& src_ids,
                                                     const std::vector<std::int64_t>& obsnums) {
  // Two scans: an OR would defeat the row-group pruning of the first.
  auto a = pointers_of(src_ids);
  auto b = pointers_to_obsnums(obsnums);
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<CalPointer> DuckAssocStore::pointers_to_obsnums(const std::vector<std::int64_t>& obsnums) {
  if (obsnums.empty()) return {};
  return read_pointers(run(std::string(kPointerSelect) + " AND cal_obsnum IN " +
                                      in_list(unique_sorted(obsnums)) + kPointerGroup));
}

std::vector<StoredCalEdge> DuckAssocStore::cal_edges_all() { return read_cal_edges(run(cal_edge_select())); }

std::vector<StoredCalEdge> DuckAssocStore::cal_edges_from(const std::vector<std::int64_t>& src_ids) {
  if (src_ids.empty()) return {};
  return read_cal_edges(
      run(std::string(cal_edge_select()) + " AND " + in_cond("src_product_id", unique_sorted(src_ids))));
}

std::int64_t DuckAssocStore::count_cal_edges() {
  return con()
      .scalar_int(fmt::format("SELECT count(*) FROM edges WHERE assoc_type = {}", lit(edge_type::raw_obs_cal_obs)))
      .value_or(0);
}

}  // namespace tolteca::storage::duckdb
