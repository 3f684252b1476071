// The DuckDB AssocStore: writing a difference (bulk appends), events, the
// engine state (table assoc_state), and the dump of everything maintained.
#include <fmt/format.h>

#include <unordered_map>

#include "model/product_type.h"
#include "storage/duckdb/assoc_store_impl.h"

namespace tolteca::storage::duckdb {

using namespace detail;

std::vector<std::int64_t> DuckAssocStore::next_ids(const char* sequence, std::size_t n) {
  std::vector<std::int64_t> ids;
  ids.reserve(n);
  if (n == 0) return ids;
  auto r = run(fmt::format("SELECT nextval('{}') FROM range({})", sequence, n));
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk()) {
    const auto* d = c.data<std::int64_t>(0);
    ids.insert(ids.end(), d, d + c.size());
  }
  return ids;
}

AssocDump DuckAssocStore::dump() {
  AssocDump d;
  {
    auto r = run(fmt::format(
        "SELECT product_type, uid, name, coalesce(n_items, 0)::BIGINT, coalesce(first_obsnum, 0)::BIGINT, "
        "coalesce(last_obsnum, 0)::BIGINT, coalesce(epoch_us(obs_start_time), {0})::BIGINT, "
        "coalesce(epoch_us(latest_member_time), {0})::BIGINT FROM products WHERE product_type IN ({1}) ORDER BY uid",
        kNoTimeSql, group_product_types_sql()));
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
    auto r = run(fmt::format(
        "SELECT g.uid, m.uid FROM edges e JOIN products g ON g.id = e.src_product_id JOIN products m ON m.id = "
        "e.dst_product_id WHERE e.assoc_type IN ({}) ORDER BY g.uid, m.uid",
        member_edge_types_sql()));
    for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
      for (std::size_t i = 0; i < c.size(); ++i) {
        auto it = index.find(std::string(c.string(0, i)));
        if (it != index.end()) d.groups[it->second].members.emplace_back(c.string(1, i));
      }
  }
  {
    auto r = run(fmt::format(
        "SELECT s.uid, t.uid, e.context::VARCHAR FROM edges e JOIN products s ON s.id = e.src_product_id JOIN "
        "products t ON t.id = e.dst_product_id WHERE e.assoc_type = {} ORDER BY s.uid, t.uid",
        lit(edge_type::raw_obs_cal_obs)));
    for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
      for (std::size_t i = 0; i < c.size(); ++i)
        d.cal_edges.push_back({std::string(c.string(0, i)), std::string(c.string(1, i)),
                               c.is_null(2, i) ? std::string() : std::string(c.string(2, i))});
  }
  return d;
}

// ---- writing ------------------------------------------------------------------

void DuckAssocStore::apply(const StoreDiff& d) {
  const std::int64_t now = now_micros();
  if (!d.deleted.empty()) {
    const std::string l = in_list(unique_sorted(d.deleted));
    run("DELETE FROM edges WHERE src_product_id IN " + l);
    run("DELETE FROM edges WHERE dst_product_id IN " + l);
    run("DELETE FROM products WHERE id IN " + l);
  }
  if (!d.removed_edges.empty()) run("DELETE FROM edges WHERE id IN " + in_list(unique_sorted(d.removed_edges)));

  if (!d.updated.empty()) {
    auto st = con().prepare(
        "UPDATE products SET name = $2, n_items = $3, first_obsnum = $4, last_obsnum = $5, latest_member_time = $6, "
        "obs_start_time = $7, updated_at = $8 WHERE id = $1");
    for (const auto& u : d.updated) {
      if (!u.row_changed) continue;
      const auto& g = u.group;
      st.bind(1, u.id).bind(2, g.name()).bind(3, g.n()).bind(4, g.first_obsnum).bind(5, g.last_obsnum);
      if (g.latest_time == kNoTime) st.bind_null(6); else st.bind(6, Timestamp{g.latest_time});
      if (g.first_time == kNoTime) st.bind_null(7); else st.bind(7, Timestamp{g.first_time});
      st.bind(8, Timestamp{now}).execute();
    }
  }

  std::size_t n_edges = d.cal_added.size();
  for (const auto& g : d.created) n_edges += g.members.size();
  for (const auto& u : d.updated) n_edges += u.add_members.size();

  std::vector<std::int64_t> group_ids = next_ids("seq_products", d.created.size());
  if (!d.created.empty()) {
    auto app = con().appender("products",
                               {"id", "product_type", "uid", "name", "master", "obsnum", "subobsnum", "scannum",
                                "data_kind", "obs_start_time", "n_items", "first_obsnum", "last_obsnum",
                                "latest_member_time", "created_at", "updated_at"});
    for (std::size_t i = 0; i < d.created.size(); ++i) {
      const auto& g = d.created[i];
      app.append(group_ids[i]).append(group_product_type(g.type)).append(g.uid()).append(g.name());
      app.append(to_string(g.first.master)).append(g.first.obsnum).append(std::int64_t{g.first.subobsnum});
      app.append(std::int64_t{g.first.scannum}).append(std::int64_t{0});
      if (g.first_time == kNoTime) app.append_null(); else app.append(Timestamp{g.first_time});
      app.append(g.n()).append(g.first_obsnum).append(g.last_obsnum);
      if (g.latest_time == kNoTime) app.append_null(); else app.append(Timestamp{g.latest_time});
      app.append(Timestamp{now}).append(Timestamp{now}).end_row();
    }
    app.close();
  }
  if (n_edges > 0) {
    std::vector<std::int64_t> edge_ids = next_ids("seq_edges", n_edges);
    std::size_t k = 0;
    auto app = con().appender("edges",
                               {"id", "assoc_type", "src_product_id", "dst_product_id", "context", "created_at"});
    auto member_edge = [&](AssocType t, std::int64_t src, std::int64_t dst) {
      app.append(edge_ids[k++]).append(assoc_edge_type(t)).append(src).append(dst).append_null();
      app.append(Timestamp{now}).end_row();
    };
    for (std::size_t i = 0; i < d.created.size(); ++i)
      for (std::int64_t m : d.created[i].members) member_edge(d.created[i].type, group_ids[i], m);
    for (const auto& u : d.updated)
      for (std::int64_t m : u.add_members) member_edge(u.group.type, u.id, m);
    for (const auto& e : d.cal_added) {
      app.append(edge_ids[k++]).append(edge_type::raw_obs_cal_obs).append(e.src).append(e.dst);
      app.append(cal_edge_context(e.roach_mask)).append(Timestamp{now}).end_row();
    }
    app.close();
  }
}

void DuckAssocStore::log_event(const std::string& message, const std::string& details_json) {
  auto st = con().prepare("INSERT INTO events (kind, subject, message, details) VALUES ('assoc', 'assoc', $1, $2)");
  st.bind(1, message).bind(2, details_json).execute();
}

// ---- the engine state ------------------------------------------------------------

std::optional<std::string> DuckAssocStore::read_state() {
  return con().scalar_string("SELECT value::VARCHAR FROM assoc_state WHERE key = 'engine'");
}

void DuckAssocStore::write_state(const std::string& json) {
  auto st = con().prepare(
      "INSERT INTO assoc_state (key, value, updated_at) VALUES ('engine', $1, current_timestamp::TIMESTAMP) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
  st.bind(1, json).execute();
}

void DuckAssocStore::delete_state() { con().execute("DELETE FROM assoc_state WHERE key = 'engine'"); }

}  // namespace tolteca::storage::duckdb
