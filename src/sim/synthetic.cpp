#include "sim/synthetic.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <unordered_map>

#include "storage/duckdb/admin.h"
#include "storage/duckdb/duckdb.h"

namespace tolteca::db {

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

}  // namespace

SyntheticWriteResult write_synthetic(Session& s, const std::vector<SyntheticObs>& obs,
                                     const SyntheticWriteOptions& options) {
  SyntheticWriteResult res;
  if (obs.empty()) return res;
  auto& con = s.con();
  Transaction tx(con);
  std::int64_t location_id = 0;
  if (options.sources) location_id = upsert_location(s, "synthetic", "/synthetic").id;

  std::vector<std::string> uids(obs.size());
  for (std::size_t i = 0; i < obs.size(); ++i) uids[i] = to_string(obs[i].q);
  // Existing observations (only when the table has any).
  std::unordered_map<std::string, std::int64_t> existing;
  if (con.scalar_int("SELECT count(*) FROM products WHERE product_type = 'dp_raw_obs'").value_or(0) > 0) {
    std::string joined;
    for (std::size_t i = 0; i < uids.size(); ++i) joined += (i ? "|" : "") + uids[i];
    auto st = con.prepare(
        "SELECT uid, id::BIGINT FROM products WHERE product_type = 'dp_raw_obs' AND uid IN "
        "(SELECT unnest(string_split($1, '|')))");
    st.bind(1, joined);
    auto r = st.execute();
    for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
      for (std::size_t i = 0; i < c.size(); ++i) existing.emplace(std::string(c.string(0, i)), c.data<std::int64_t>(1)[i]);
  }

  // Later entries for the same uid in one call are applied in order too.
  std::vector<std::int64_t> seqs = next_values(con, "seq_ingest", obs.size());
  std::size_t n_new = 0;
  {
    std::unordered_map<std::string, bool> seen;
    for (std::size_t i = 0; i < obs.size(); ++i)
      if (!existing.count(uids[i]) && seen.emplace(uids[i], true).second) ++n_new;
  }
  std::vector<std::int64_t> new_ids = next_values(con, "seq_products", n_new);
  std::vector<std::int64_t> product_id(obs.size());
  const std::int64_t now = now_micros();
  {
    auto app = con.appender("products",
                            {"id", "product_type", "uid", "name", "master", "obsnum", "subobsnum", "scannum",
                             "data_kind", "obs_start_time", "obs_goal", "ingest_seq", "created_at", "updated_at"});
    auto upd = con.prepare(
        "UPDATE products SET data_kind = $2, obs_start_time = $3, obs_goal = $4, ingest_seq = $5, updated_at = $6 "
        "WHERE id = $1");
    std::size_t k = 0;
    std::vector<std::size_t> updates;
    for (std::size_t i = 0; i < obs.size(); ++i) {
      const SyntheticObs& o = obs[i];
      auto it = existing.find(uids[i]);
      if (it != existing.end()) {
        product_id[i] = it->second;
        updates.push_back(i);
        continue;
      }
      const std::int64_t id = new_ids[k++];
      existing.emplace(uids[i], id);
      product_id[i] = id;
      app.append(id).append("dp_raw_obs").append(uids[i]).append(uids[i]).append(to_string(o.q.master));
      app.append(o.q.obsnum).append(std::int64_t{o.q.subobsnum}).append(std::int64_t{o.q.scannum});
      app.append(std::int64_t{o.kind}).append(Timestamp{o.start_time});
      if (o.obs_goal.empty()) app.append_null(); else app.append(o.obs_goal);
      app.append(seqs[i]).append(Timestamp{now}).append(Timestamp{now}).end_row();
      ++res.created;
    }
    app.close();
    for (std::size_t i : updates) {
      const SyntheticObs& o = obs[i];
      upd.bind(1, product_id[i]).bind(2, std::int64_t{o.kind}).bind(3, Timestamp{o.start_time});
      if (o.obs_goal.empty()) upd.bind_null(4); else upd.bind(4, o.obs_goal);
      upd.bind(5, seqs[i]).bind(6, Timestamp{now}).execute();
      ++res.updated;
    }
  }

  if (options.sources) {
    std::size_t n_src = 0;
    for (const auto& o : obs) n_src += o.networks.size() + (has(o.kind, DataKind::LmtTel) ? 1 : 0);
    std::vector<std::int64_t> src_ids = next_values(con, "seq_sources", n_src);
    auto app = con.appender("sources",
                            {"id", "product_id", "location_id", "rel_path", "interface", "roach", "data_kind",
                             "is_raw", "file_time", "availability", "cal_obsnum", "cal_subobsnum", "cal_scannum",
                             "ingest_time"});
    std::size_t k = 0;
    for (std::size_t i = 0; i < obs.size(); ++i) {
      const SyntheticObs& o = obs[i];
      const std::string master(to_string(o.q.master));
      const DataKindBits net_kind = o.kind & ~bits(DataKind::LmtTel);
      for (int r : o.networks) {
        const std::int64_t sid = src_ids[k++];
        const SyntheticPointer* ptr = nullptr;
        for (const auto& p : o.pointers)
          if (std::find(p.networks.begin(), p.networks.end(), r) != p.networks.end()) ptr = &p;
        app.append(sid).append(product_id[i]).append(location_id);
        app.append(fmt::format("toltec/{0}/toltec{1}/toltec{1}_{2:06d}_{3:03d}_{4:04d}_s{5}.nc", master, r, o.q.obsnum,
                               o.q.subobsnum, o.q.scannum, sid));
        app.append(fmt::format("toltec{}", r)).append(std::int64_t{r}).append(std::int64_t{net_kind}).append(true);
        app.append(Timestamp{o.start_time}).append("available");
        if (ptr)
          app.append(ptr->obsnum).append(std::int64_t{ptr->subobsnum}).append(std::int64_t{ptr->scannum});
        else
          app.append_null().append_null().append_null();
        app.append(Timestamp{now}).end_row();
        ++res.sources;
      }
      if (has(o.kind, DataKind::LmtTel)) {
        const std::int64_t sid = src_ids[k++];
        app.append(sid).append(product_id[i]).append(location_id);
        app.append(fmt::format("tel/tel_toltec_{:06d}_{:02d}_{:04d}_s{}.nc", o.q.obsnum, o.q.subobsnum, o.q.scannum, sid));
        app.append("tel_toltec").append_null().append(std::int64_t{bits(DataKind::LmtTel)}).append(true);
        app.append(Timestamp{o.start_time}).append("available").append_null().append_null().append_null();
        app.append(Timestamp{now}).end_row();
        ++res.sources;
      }
    }
    app.close();
  }
  tx.commit();
  return res;
}

std::int64_t delete_raw_obs(Session& s, const std::vector<std::string>& uids) {
  if (uids.empty()) return 0;
  auto& con = s.con();
  Transaction tx(con);
  std::string joined;
  for (std::size_t i = 0; i < uids.size(); ++i) joined += (i ? "|" : "") + uids[i];
  const char* sel =
      "(SELECT id FROM products WHERE product_type = 'dp_raw_obs' AND uid IN (SELECT unnest(string_split($1, '|'))))";
  con.prepare(fmt::format("DELETE FROM edges WHERE src_product_id IN {0} OR dst_product_id IN {0}", sel))
      .bind(1, joined)
      .execute();
  con.prepare(fmt::format("DELETE FROM sources WHERE product_id IN {}", sel)).bind(1, joined).execute();
  auto r = con.prepare("DELETE FROM products WHERE product_type = 'dp_raw_obs' AND uid IN "
                       "(SELECT unnest(string_split($1, '|')))")
               .bind(1, joined)
               .execute();
  const std::int64_t n = r.rows_changed();
  tx.commit();
  return n;
}

void clear_registry(Session& s) {
  auto& con = s.con();
  Transaction tx(con);
  con.execute("DELETE FROM edges; DELETE FROM sources; DELETE FROM products; DELETE FROM events; "
              "DELETE FROM assoc_state;");
  tx.commit();
}

void delete_associations(Session& s) {
  auto& con = s.con();
  Transaction tx(con);
  con.execute(
      "DELETE FROM edges WHERE assoc_type IN ('dpa_cal_group_raw_obs', 'dpa_drivefit_raw_obs', "
      "'dpa_focus_group_raw_obs', 'dpa_astig_group_raw_obs', 'dpa_raw_obs_cal_obs'); "
      "DELETE FROM products WHERE product_type IN ('dp_cal_group', 'dp_drivefit', 'dp_focus_group', "
      "'dp_astig_group'); DELETE FROM assoc_state;");
  tx.commit();
}

// ---- generator ------------------------------------------------------------------

namespace {

class NightGen {
 public:
  explicit NightGen(const NightOptions& o) : o_(o), rng_(o.seed), t_(o.start_time), ics_(o.ics_obsnum), tcs_(o.tcs_obsnum) {}

  std::vector<SyntheticObs> run() {
    out_.reserve(static_cast<std::size_t>(o_.n_obs) + 128);
    // Sweeps before the first VNA: a target sweep and a tune whose tones came
    // from an earlier night.
    if (chance(0.7)) {
      add_ics(ics_, 0, bits(DataKind::TargetSweep), ptr(ics_ - 7, 0, 0));
      add_ics(ics_ + 1, 0, bits(DataKind::Tune), ptr(ics_, 0, 0));
      ics_ += 2;
    }
    while (static_cast<std::int64_t>(out_.size()) < o_.n_obs) {
      ics_block();
      const int n_tcs = uniform(1, 3);
      for (int i = 0; i < n_tcs; ++i) tcs_block();
      if (chance(0.05)) t_ += uniform(3600, 12 * 3600) * 1'000'000LL;  // a pause (weather, day)
    }
    out_.resize(static_cast<std::size_t>(o_.n_obs));
    return std::move(out_);
  }

 private:
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int uniform(int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng_); }

  void advance() {
    if (!chance(o_.tie_fraction)) t_ += static_cast<std::int64_t>(uniform(20, 300)) * 1'000'000LL;
  }

  std::vector<int> nets() {
    std::vector<int> n;
    for (int r = 0; r < o_.networks && r < 13; ++r) n.push_back(r);
    if (n.size() > 2 && chance(0.1)) n.erase(n.begin() + uniform(0, static_cast<int>(n.size()) - 1));
    return n;
  }

  struct Ptr {
    std::int64_t o;
    std::int32_t s, c;
    bool valid;
  };
  static Ptr ptr(std::int64_t o, std::int32_t s, std::int32_t c) { return {o, s, c, true}; }
  static Ptr none() { return {0, 0, 0, false}; }

  SyntheticObs& add(Master m, std::int64_t obsnum, std::int32_t sub, std::int32_t scan, DataKindBits kind, Ptr p,
                    const std::string& goal = {}) {
    advance();
    SyntheticObs o;
    o.q = Quartet{m, obsnum, sub, scan};
    o.kind = kind;
    o.start_time = t_;
    o.obs_goal = goal;
    o.networks = nets();
    if (p.valid && o_.pointers && !o.networks.empty()) {
      SyntheticPointer sp{p.o, p.s, p.c, o.networks};
      // Networks that disagree: a few files used an older sweep.
      if (o.networks.size() > 3 && chance(0.03)) {
        SyntheticPointer alt{p.o > 1 ? p.o - 1 : p.o, p.s, p.c, {}};
        const int n_alt = uniform(1, 2);
        for (int i = 0; i < n_alt; ++i) {
          alt.networks.push_back(sp.networks.back());
          sp.networks.pop_back();
        }
        o.pointers.push_back(alt);
      }
      o.pointers.push_back(sp);
    }
    out_.push_back(std::move(o));
    return out_.back();
  }
  void add_ics(std::int64_t obsnum, std::int32_t sub, DataKindBits kind, Ptr p) { add(Master::ics, obsnum, sub, 0, kind, p); }

  void ics_block() {
    const DataKindBits V = bits(DataKind::VnaSweep), T = bits(DataKind::TargetSweep), U = bits(DataKind::Tune),
                       S = bits(DataKind::RawTimeStream);
    if (chance(0.05)) {  // a VNA series: every group of 1 is dropped
      const int n = uniform(10, 100);
      for (int i = 0; i < n; ++i) add_ics(ics_, i, V, none());
      ++ics_;
      return;
    }
    const std::int64_t n = ics_;
    add_ics(n, 0, V, none());
    add_ics(n + 1, 0, T, ptr(n, 0, 0));
    add_ics(n + 2, 0, U, ptr(n + 1, 0, 0));
    ics_ += 3;
    last_tune_ = n + 2;
    if (chance(0.5)) add_ics(ics_++, 0, S, ptr(n + 2, 0, 0));
    if (chance(0.6)) {  // drive-fit series: alternating target sweep / timestream sub-observations
      const std::int64_t m = ics_++;
      const int k = chance(0.3) ? 48 : uniform(1, 12);
      for (int i = 0; i < k; ++i) {
        add_ics(m, 2 * i, T, ptr(n + 2, 0, 0));
        add_ics(m, 2 * i + 1, S, ptr(m, 2 * i, 0));
      }
    }
    if (chance(0.3)) {  // a retune
      add_ics(ics_, 0, T, ptr(last_tune_, 0, 0));
      add_ics(ics_ + 1, 0, U, ptr(ics_, 0, 0));
      last_tune_ = ics_ + 1;
      ics_ += 2;
    }
  }

  void tcs_obsnum(const std::string& goal, int n_data_scans) {
    const DataKindBits U = bits(DataKind::Tune), S = bits(DataKind::RawTimeStream), L = bits(DataKind::LmtTel);
    const std::int64_t o = tcs_++;
    add(Master::tcs, o, 0, 1, U | L, last_tune_ ? ptr(last_tune_, 0, 0) : none(), goal);
    for (int s = 0; s < n_data_scans; ++s) add(Master::tcs, o, 0, 2 + s, S | L, ptr(o, 0, 1), goal);
  }

  void tcs_block() {
    const int what = uniform(0, 9);
    if (what <= 2) {
      tcs_obsnum("pointing", 1);
    } else if (what <= 4 || what == 5) {
      const std::string goal = what == 5 ? (chance(0.5) ? "astigmatism" : "Astig") : (chance(0.8) ? "focus" : "Focus");
      const int n = uniform(2, 6);
      for (int i = 0; i < n; ++i) {
        if (i > 0 && chance(0.15)) ++tcs_;  // a gap breaks the run
        tcs_obsnum(goal, uniform(1, 2));
      }
    } else {
      const int n = uniform(1, 3);
      for (int i = 0; i < n; ++i) tcs_obsnum("science", uniform(1, 4));
    }
  }

  NightOptions o_;
  std::mt19937_64 rng_;
  std::int64_t t_;
  std::int64_t ics_, tcs_;
  std::int64_t last_tune_ = 0;
  std::vector<SyntheticObs> out_;
};

}  // namespace

std::vector<SyntheticObs> synthetic_night(const NightOptions& options) { return NightGen(options).run(); }

}  // namespace tolteca::db
