#include "storage/duckdb/fixture_store.h"

#include <fmt/format.h>

#include <chrono>
#include <unordered_map>
#include <unordered_set>

#include "model/product_type.h"
#include "storage/duckdb/file_summary.h"
#include "storage/duckdb/in_list.h"

namespace tolteca::storage::duckdb {

namespace {

std::vector<std::int64_t> next_values(Connection& con, const char* sequence, std::size_t n) {
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

std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The ids of the raw observations among uids that exist.
std::unordered_map<std::string, std::int64_t> existing_raw_obs(Connection& con, const std::vector<std::string>& uids) {
  std::unordered_map<std::string, std::int64_t> existing;
  const std::string raw = quote_literal(product_type::raw_obs);
  if (con.scalar_int("SELECT count(*) FROM products WHERE product_type = " + raw).value_or(0) == 0) return existing;
  auto r = con.query("SELECT uid, id::BIGINT FROM products WHERE product_type = " + raw + " AND uid IN " +
                     in_list(uids));
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
    for (std::size_t i = 0; i < c.size(); ++i) existing.emplace(std::string(c.string(0, i)), c.data<std::int64_t>(1)[i]);
  return existing;
}

class DuckFixtureStore final : public FixtureStore {
 public:
  explicit DuckFixtureStore(Session& s) : s_(s) {}

  FixtureWriteResult write_raw_obs(std::int64_t location_id, const std::vector<FixtureObs>& obs) override {
    FixtureWriteResult res;
    if (obs.empty()) return res;
    auto& con = s_.con();
    Transaction tx(con);
    std::vector<std::int64_t> product_id = write_products(obs, res);
    write_files(location_id, obs, product_id, res);
    refresh_file_summaries(con, product_id);
    tx.commit();
    return res;
  }

  std::int64_t delete_raw_obs(const std::vector<std::string>& uids) override {
    if (uids.empty()) return 0;
    auto& con = s_.con();
    Transaction tx(con);
    const std::string in_uids = "product_type = " + quote_literal(product_type::raw_obs) + " AND uid IN " + in_list(uids);
    const std::string sel = "(SELECT id FROM products WHERE " + in_uids + ")";
    con.execute(fmt::format("DELETE FROM edges WHERE src_product_id IN {0} OR dst_product_id IN {0}", sel));
    con.execute(fmt::format("DELETE FROM obs_file_summary WHERE product_id IN {}", sel));
    con.execute(fmt::format("DELETE FROM sources WHERE product_id IN {}", sel));
    auto r = con.query("DELETE FROM products WHERE " + in_uids);
    const std::int64_t n = r.rows_changed();
    tx.commit();
    return n;
  }

  void clear() override {
    auto& con = s_.con();
    Transaction tx(con);
    con.execute("DELETE FROM edges; DELETE FROM obs_file_summary; DELETE FROM sources; DELETE FROM products; "
                "DELETE FROM events; "
                "DELETE FROM assoc_state;");
    tx.commit();
  }

  void delete_associations() override {
    auto& con = s_.con();
    Transaction tx(con);
    con.execute(fmt::format(
        "DELETE FROM edges WHERE assoc_type IN ({}, {}, {}, {}, {}); "
        "DELETE FROM products WHERE product_type IN ({}, {}, {}, {}); DELETE FROM assoc_state;",
        quote_literal(edge_type::cal_group_raw_obs), quote_literal(edge_type::drivefit_raw_obs),
        quote_literal(edge_type::focus_group_raw_obs), quote_literal(edge_type::astig_group_raw_obs),
        quote_literal(edge_type::raw_obs_cal_obs), quote_literal(product_type::cal_group),
        quote_literal(product_type::drivefit), quote_literal(product_type::focus_group),
        quote_literal(product_type::astig_group)));
    tx.commit();
  }

 private:
  // Creates or updates the products; returns each observation's product id.
  std::vector<std::int64_t> write_products(const std::vector<FixtureObs>& obs, FixtureWriteResult& res) {
    auto& con = s_.con();
    std::vector<std::string> uids(obs.size());
    for (std::size_t i = 0; i < obs.size(); ++i) uids[i] = to_string(obs[i].q);
    std::unordered_map<std::string, std::int64_t> existing = existing_raw_obs(con, uids);
    // Later entries for the same uid in one call are applied in order too.
    std::vector<std::int64_t> seqs = next_values(con, "seq_ingest", obs.size());
    std::size_t n_new = 0;
    {
      std::unordered_set<std::string> seen;
      for (std::size_t i = 0; i < obs.size(); ++i)
        if (!existing.count(uids[i]) && seen.insert(uids[i]).second) ++n_new;
    }
    std::vector<std::int64_t> new_ids = next_values(con, "seq_products", n_new);
    std::vector<std::int64_t> product_id(obs.size());
    const std::int64_t now = now_micros();
    auto app = con.appender("products",
                            {"id", "product_type", "uid", "name", "master", "obsnum", "subobsnum", "scannum",
                             "data_kind", "obs_start_time", "obs_goal", "ingest_seq", "created_at", "updated_at"});
    std::size_t k = 0;
    std::vector<std::size_t> updates;
    for (std::size_t i = 0; i < obs.size(); ++i) {
      const FixtureObs& o = obs[i];
      auto it = existing.find(uids[i]);
      if (it != existing.end()) {
        product_id[i] = it->second;
        updates.push_back(i);
        continue;
      }
      const std::int64_t id = new_ids[k++];
      existing.emplace(uids[i], id);
      product_id[i] = id;
      app.append(id).append(product_type::raw_obs).append(uids[i]).append(uids[i]).append(to_string(o.q.master));
      app.append(o.q.obsnum).append(std::int64_t{o.q.subobsnum}).append(std::int64_t{o.q.scannum});
      app.append(std::int64_t{o.kind}).append(Timestamp{o.start_time});
      if (o.obs_goal.empty()) app.append_null(); else app.append(o.obs_goal);
      app.append(seqs[i]).append(Timestamp{now}).append(Timestamp{now}).end_row();
      ++res.created;
    }
    app.close();
    auto upd = con.prepare(
        "UPDATE products SET data_kind = $2, obs_start_time = $3, obs_goal = $4, ingest_seq = $5, updated_at = $6 "
        "WHERE id = $1");
    for (std::size_t i : updates) {
      const FixtureObs& o = obs[i];
      upd.bind(1, product_id[i]).bind(2, std::int64_t{o.kind}).bind(3, Timestamp{o.start_time});
      if (o.obs_goal.empty()) upd.bind_null(4); else upd.bind(4, o.obs_goal);
      upd.bind(5, seqs[i]).bind(6, Timestamp{now}).execute();
      ++res.updated;
    }
    return product_id;
  }

  void write_files(std::int64_t location_id, const std::vector<FixtureObs>& obs,
                   const std::vector<std::int64_t>& product_id, FixtureWriteResult& res) {
    std::size_t n_src = 0;
    for (const auto& o : obs) n_src += o.files.size();
    if (n_src == 0) return;
    auto& con = s_.con();
    std::vector<std::int64_t> src_ids = next_values(con, "seq_sources", n_src);
    const std::int64_t now = now_micros();
    auto app = con.appender("sources",
                            {"id", "product_id", "location_id", "rel_path", "interface", "roach", "data_kind",
                             "is_raw", "file_time", "availability", "cal_obsnum", "cal_subobsnum", "cal_scannum",
                             "ingest_time"});
    std::size_t k = 0;
    for (std::size_t i = 0; i < obs.size(); ++i) {
      for (const FixtureFile& f : obs[i].files) {
        const std::int64_t sid = src_ids[k++];
        std::string rel_path = f.rel_path;
        for (auto p = rel_path.find("{id}"); p != std::string::npos; p = rel_path.find("{id}", p))
          rel_path.replace(p, 4, std::to_string(sid));
        app.append(sid).append(product_id[i]).append(location_id).append(rel_path).append(f.interface);
        if (f.roach) app.append(std::int64_t{*f.roach}); else app.append_null();
        app.append(std::int64_t{f.kind}).append(true).append(Timestamp{f.file_time}).append("available");
        if (f.pointer)
          app.append(f.pointer->obsnum).append(std::int64_t{f.pointer->subobsnum}).append(std::int64_t{f.pointer->scannum});
        else
          app.append_null().append_null().append_null();
        app.append(Timestamp{now}).end_row();
        ++res.sources;
      }
    }
    app.close();
  }

  Session& s_;
};

}  // namespace

std::unique_ptr<FixtureStore> make_fixture_store(Session& session) { return std::make_unique<DuckFixtureStore>(session); }

}  // namespace tolteca::storage::duckdb
