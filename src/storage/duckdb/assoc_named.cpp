// The DuckDB AssocStore: named groups (product dp_named_group, edges
// dpa_named_group_data_prod group -> member).
#include <fmt/format.h>

#include "storage/duckdb/query_repo.h"
#include "model/product_type.h"
#include "model/obs_spec.h"
#include "storage/duckdb/assoc_store_impl.h"

namespace tolteca::storage::duckdb {

using namespace detail;
namespace {
// The member edge kind as a SQL literal.
const std::string kNamedEdge = lit(edge_type::named_group_data_prod);
}  // namespace

std::vector<std::int64_t> DuckAssocStore::resolve_spec(const query::ObsSpec& spec) {
  BoundSql cond = spec_condition({spec}, SpecTarget::observations);
  auto st = con().prepare(fmt::format(
      "SELECT p.id::BIGINT FROM products p WHERE p.product_type = {} AND {} ORDER BY p.obs_start_time, "
      "CASE p.master WHEN 'tcs' THEN 0 WHEN 'ics' THEN 1 ELSE 2 END, p.obsnum, p.subobsnum, p.scannum",
      lit(product_type::raw_obs), cond.sql));
  for (std::size_t i = 0; i < cond.params.size(); ++i) st.bind_value(i + 1, cond.params[i]);
  std::vector<std::int64_t> out;
  auto r = st.execute();
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
    out.insert(out.end(), c.data<std::int64_t>(0), c.data<std::int64_t>(0) + c.size());
  return out;
}

std::optional<std::int64_t> DuckAssocStore::product_by_uid_or_name(const std::string& text) {
  auto st = con().prepare(
      "SELECT id::BIGINT FROM products WHERE uid = $1 OR name = $1 ORDER BY (uid = $1) DESC, id LIMIT 1");
  st.bind(1, text);
  auto rows = st.execute().rows();
  if (rows.empty()) return std::nullopt;
  return std::get<std::int64_t>(rows[0][0]);
}

std::optional<std::int64_t> DuckAssocStore::named_group_id(const std::string& name) {
  auto st = con().prepare("SELECT id::BIGINT FROM products WHERE uid = $1");
  st.bind(1, "named:" + name);
  auto rows = st.execute().rows();
  if (rows.empty()) return std::nullopt;
  return std::get<std::int64_t>(rows[0][0]);
}

std::int64_t DuckAssocStore::create_named_group(const std::string& name) {
  auto st = con().prepare(fmt::format(
      "INSERT INTO products (product_type, uid, name, n_items) VALUES ({}, $1, $2, 0) RETURNING id",
      lit(product_type::named_group)));
  st.bind(1, "named:" + name).bind(2, name);
  auto rows = st.execute().rows();
  return std::get<std::int64_t>(rows[0][0]);
}

namespace {
void refresh_named(Connection& con, std::int64_t gid) {
  con.execute(fmt::format(
      "UPDATE products SET n_items = (SELECT count(*) FROM edges WHERE assoc_type = {E} AND "
      "src_product_id = {0}), first_obsnum = (SELECT min(p.obsnum) FROM edges e JOIN products p ON p.id = "
      "e.dst_product_id WHERE e.assoc_type = {E} AND e.src_product_id = {0}), last_obsnum = "
      "(SELECT max(p.obsnum) FROM edges e JOIN products p ON p.id = e.dst_product_id WHERE e.assoc_type = "
      "{E} AND e.src_product_id = {0}), latest_member_time = (SELECT max(p.obs_start_time) "
      "FROM edges e JOIN products p ON p.id = e.dst_product_id WHERE e.assoc_type = {E} AND "
      "e.src_product_id = {0}), updated_at = current_timestamp::TIMESTAMP WHERE id = {0}",
      gid, fmt::arg("E", kNamedEdge)));
}
}  // namespace

std::int64_t DuckAssocStore::add_named_members(std::int64_t gid, const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return 0;
  auto r = run(fmt::format(
      "INSERT INTO edges (assoc_type, src_product_id, dst_product_id) SELECT {E}, {0}, m.id "
      "FROM (SELECT DISTINCT x AS id FROM {1}) m "
      "WHERE m.id NOT IN (SELECT dst_product_id FROM edges WHERE assoc_type = {E} AND "
      "src_product_id = {0})",
      gid, int_table(ids), fmt::arg("E", kNamedEdge)));
  const std::int64_t n = r.rows_changed();
  refresh_named(con(), gid);
  return n;
}

std::int64_t DuckAssocStore::remove_named_members(std::int64_t gid, const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return 0;
  auto r = run(fmt::format(
      "DELETE FROM edges WHERE assoc_type = {E} AND src_product_id = {} AND dst_product_id IN {}",
      gid, in_list(unique_sorted(ids)), fmt::arg("E", kNamedEdge)));
  const std::int64_t n = r.rows_changed();
  refresh_named(con(), gid);
  return n;
}

void DuckAssocStore::delete_named_group(std::int64_t gid) {
  con().execute(fmt::format("DELETE FROM edges WHERE src_product_id = {0} OR dst_product_id = {0}", gid));
  con().execute(fmt::format("DELETE FROM products WHERE id = {} AND product_type = {}", gid, lit(product_type::named_group)));
}

std::vector<NamedGroupRow> DuckAssocStore::named_groups() {
  std::vector<NamedGroupRow> out;
  auto r = run(fmt::format("SELECT id::BIGINT, name, coalesce(n_items, 0)::BIGINT, epoch_us(created_at)::BIGINT, "
                           "epoch_us(updated_at)::BIGINT FROM products WHERE product_type = {} ORDER BY name",
                           lit(product_type::named_group)));
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
    for (std::size_t i = 0; i < c.size(); ++i)
      out.push_back({c.data<std::int64_t>(0)[i], std::string(c.string(1, i)), c.data<std::int64_t>(2)[i],
                     c.data<std::int64_t>(3)[i], c.data<std::int64_t>(4)[i]});
  return out;
}

std::vector<std::string> DuckAssocStore::named_members(std::int64_t gid) {
  std::vector<std::string> out;
  auto r = run(fmt::format(
      "SELECT p.uid FROM edges e JOIN products p ON p.id = e.dst_product_id WHERE e.assoc_type = "
      "{E} AND e.src_product_id = {} ORDER BY p.obs_start_time NULLS LAST, p.uid",
      gid, fmt::arg("E", kNamedEdge)));
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
    for (std::size_t i = 0; i < c.size(); ++i) out.emplace_back(c.string(0, i));
  return out;
}

}  // namespace tolteca::storage::duckdb
