#include "db/ingest_repo.h"

#include <fmt/format.h>


namespace tolteca::db {

namespace {

// Temp (connection-local, in memory) staging tables. Wide integer types: the
// appender casts nothing, the INSERT … SELECT does.
constexpr const char* kStageDdl = R"SQL(
CREATE TEMP TABLE IF NOT EXISTS ingest_stage (
  rel_path VARCHAR, uid VARCHAR, product_type VARCHAR, master VARCHAR,
  obsnum BIGINT, subobsnum BIGINT, scannum BIGINT,
  interface VARCHAR, roach BIGINT, data_kind BIGINT, is_raw BOOLEAN,
  file_time TIMESTAMP, obs_start_time TIMESTAMP, size BIGINT, mtime_ns BIGINT,
  availability VARCHAR, cal_obsnum BIGINT, cal_subobsnum BIGINT, cal_scannum BIGINT,
  problem VARCHAR, header VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS ingest_tel_stage (
  master VARCHAR, obsnum BIGINT, subobsnum BIGINT, scannum BIGINT, origin VARCHAR, origin_rank BIGINT,
  obs_goal VARCHAR, source_name VARCHAR, project_id VARCHAR, obs_pgm VARCHAR,
  tau DOUBLE, integration_time DOUBLE, az_deg DOUBLE, el_deg DOUBLE, extra VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS ingest_paths (rel_path VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS ingest_ids (id BIGINT);
)SQL";

constexpr const char* kInsertProducts = R"SQL(
INSERT INTO products (product_type, uid, name, master, obsnum, subobsnum, scannum)
SELECT product_type, uid, uid, any_value(master), any_value(obsnum), any_value(subobsnum)::INTEGER,
       any_value(scannum)::INTEGER
FROM ingest_stage GROUP BY product_type, uid
ON CONFLICT (uid) DO NOTHING
RETURNING uid, product_type
)SQL";

constexpr const char* kUpsertSources = R"SQL(
INSERT INTO sources (product_id, location_id, rel_path, interface, roach, data_kind, is_raw, file_time,
                     obs_start_time, size, mtime_ns, availability, cal_obsnum, cal_subobsnum, cal_scannum,
                     problem, header)
SELECT p.id, $1, s.rel_path, s.interface, s.roach::SMALLINT, s.data_kind::INTEGER, s.is_raw, s.file_time,
       s.obs_start_time, s.size, s.mtime_ns, s.availability, s.cal_obsnum, s.cal_subobsnum::INTEGER,
       s.cal_scannum::INTEGER, s.problem, s.header::JSON
FROM ingest_stage s JOIN products p ON p.uid = s.uid
ON CONFLICT (location_id, rel_path) DO UPDATE SET
  product_id = excluded.product_id, interface = excluded.interface, roach = excluded.roach,
  data_kind = excluded.data_kind, is_raw = excluded.is_raw, file_time = excluded.file_time,
  obs_start_time = excluded.obs_start_time, size = excluded.size, mtime_ns = excluded.mtime_ns,
  availability = excluded.availability, cal_obsnum = excluded.cal_obsnum,
  cal_subobsnum = excluded.cal_subobsnum, cal_scannum = excluded.cal_scannum, problem = excluded.problem,
  header = excluded.header, ingest_time = current_timestamp::TIMESTAMP
)SQL";

// Kind = OR of all the product's files (every location, available or not);
// start = earliest source start, else earliest file timestamp.
constexpr const char* kRecomputeProducts = R"SQL(
UPDATE products SET
  data_kind = a.k,
  obs_start_time = a.t,
  ingest_seq = CASE WHEN products.product_type = 'dp_raw_obs' THEN nextval('seq_ingest') ELSE products.ingest_seq END,
  updated_at = current_timestamp::TIMESTAMP
FROM (
  SELECT src.product_id, bit_or(src.data_kind) AS k,
         coalesce(min(src.obs_start_time), min(src.file_time)) AS t
  FROM sources src
  WHERE src.product_id IN (SELECT p.id FROM products p WHERE p.uid IN (SELECT uid FROM ingest_stage))
  GROUP BY src.product_id
) a
WHERE products.id = a.product_id
RETURNING products.uid, products.product_type
)SQL";

constexpr const char* kReducedEdges = R"SQL(
INSERT INTO edges (assoc_type, src_product_id, dst_product_id)
SELECT 'dpa_reduced_obs_raw_obs', r.id, w.id
FROM products r JOIN products w ON r.uid = 'reduced:' || w.uid
WHERE r.product_type = 'dp_reduced_obs' AND w.product_type = 'dp_raw_obs'
  AND (r.uid IN (SELECT uid FROM ingest_stage) OR w.uid IN (SELECT uid FROM ingest_stage))
  AND NOT EXISTS (SELECT 1 FROM edges e WHERE e.assoc_type = 'dpa_reduced_obs_raw_obs'
                  AND e.src_product_id = r.id AND e.dst_product_id = w.id)
)SQL";

constexpr const char* kUpsertTelMeta = R"SQL(
INSERT INTO tel_meta (master, obsnum, subobsnum, scannum, origin, origin_rank, obs_goal, source_name, project_id,
                      obs_pgm, tau, integration_time, az_deg, el_deg, extra)
SELECT master, obsnum, subobsnum::INTEGER, scannum::INTEGER, origin, origin_rank::INTEGER, any_value(obs_goal),
       any_value(source_name), any_value(project_id), any_value(obs_pgm), any_value(tau),
       any_value(integration_time), any_value(az_deg), any_value(el_deg), any_value(extra)::JSON
FROM ingest_tel_stage GROUP BY master, obsnum, subobsnum, scannum, origin, origin_rank
ON CONFLICT (master, obsnum, subobsnum, scannum, origin) DO UPDATE SET
  obs_goal = excluded.obs_goal, source_name = excluded.source_name, project_id = excluded.project_id,
  obs_pgm = excluded.obs_pgm, tau = excluded.tau, integration_time = excluded.integration_time,
  az_deg = excluded.az_deg, el_deg = excluded.el_deg, extra = excluded.extra,
  updated_at = current_timestamp::TIMESTAMP
)SQL";

// The telescope columns of every tcs raw observation of the affected obsnums:
// its own quartet's best row (tel_toltec > tel_toltec2 > csv), else the obsnum's
// lowest (subobsnum, scannum). Only rows whose values change are touched.
constexpr const char* kRecomputeTel = R"SQL(
UPDATE products SET
  obs_goal = b.obs_goal, source_name = b.source_name, project_id = b.project_id, obs_pgm = b.obs_pgm,
  tau = b.tau, integration_time = b.integration_time, az_deg = b.az_deg, el_deg = b.el_deg,
  meta = json_merge_patch(coalesce(products.meta, '{{}}'::JSON),
                          json_object('tel', coalesce(b.extra, '{{}}'::JSON), 'tel_from', b.tel_from)),
  ingest_seq = nextval('seq_ingest'),
  updated_at = current_timestamp::TIMESTAMP
FROM (
  SELECT p.id, t.obs_goal, t.source_name, t.project_id, t.obs_pgm, t.tau, t.integration_time, t.az_deg, t.el_deg,
         t.extra, t.master || '-' || t.obsnum || '-' || t.subobsnum || '-' || t.scannum AS tel_from,
         row_number() OVER (PARTITION BY p.id
                            ORDER BY (t.subobsnum = p.subobsnum AND t.scannum = p.scannum) DESC,
                                     t.subobsnum, t.scannum, t.origin_rank) AS rn
  FROM products p JOIN tel_meta t ON t.master = p.master AND t.obsnum = p.obsnum
  WHERE p.product_type = 'dp_raw_obs' AND p.master = 'tcs' AND p.obsnum IN ({affected})
) b
WHERE products.id = b.id AND b.rn = 1 AND (
  products.obs_goal IS DISTINCT FROM b.obs_goal OR products.source_name IS DISTINCT FROM b.source_name OR
  products.project_id IS DISTINCT FROM b.project_id OR products.obs_pgm IS DISTINCT FROM b.obs_pgm OR
  products.tau IS DISTINCT FROM b.tau OR products.integration_time IS DISTINCT FROM b.integration_time OR
  products.az_deg IS DISTINCT FROM b.az_deg OR products.el_deg IS DISTINCT FROM b.el_deg OR
  (products.meta ->> 'tel_from') IS DISTINCT FROM b.tel_from OR
  CAST(products.meta -> 'tel' AS VARCHAR) IS DISTINCT FROM CAST(coalesce(b.extra, '{{}}'::JSON) AS VARCHAR))
RETURNING products.uid
)SQL";

void append_opt_ts(Appender& a, const std::optional<UnixMicros>& t) {
  if (t)
    a.append(Timestamp{*t});
  else
    a.append_null();
}

}  // namespace

int tel_origin_rank(std::string_view origin) {
  if (origin == "tel_toltec") return 0;
  if (origin == "tel_toltec2") return 1;
  return 2;
}

IngestRepo::IngestRepo(Session& s, std::int64_t location_id) : s_(s), location_id_(location_id) {}
IngestRepo::~IngestRepo() = default;

void IngestRepo::ensure_stage() {
  if (stage_ready_) return;
  s_.con().execute(kStageDdl);
  stage_ready_ = true;
}

namespace {
void read_snapshot(Result& res, Snapshot& out) {
  for (Chunk c = res.next_chunk(); c && c.size() > 0; c = res.next_chunk()) {
    const auto* size = c.data<std::int64_t>(1);
    const auto* mtime = c.data<std::int64_t>(2);
    const auto* avail = c.data<bool>(3);
    const auto* hdr = c.data<bool>(4);
    for (std::size_t r = 0; r < c.size(); ++r) {
      SnapshotEntry e;
      e.size = c.is_null(1, r) ? -1 : size[r];
      e.mtime_ns = c.is_null(2, r) ? -1 : mtime[r];
      e.available = avail[r];
      e.header_read = hdr[r];
      out.emplace(std::string(c.string(0, r)), e);
    }
  }
}
}  // namespace

Snapshot IngestRepo::load_snapshot(std::string_view prefix) {
  auto st = s_.con().prepare(
      "SELECT rel_path, size, mtime_ns, availability = 'available', header IS NOT NULL FROM sources "
      "WHERE location_id = $1 AND starts_with(rel_path, $2)");
  st.bind(1, location_id_).bind(2, prefix);
  auto res = st.execute();
  Snapshot out;
  if (auto n = s_.con().scalar_int(fmt::format("SELECT count(*) FROM sources WHERE location_id = {}", location_id_)))
    out.reserve(static_cast<std::size_t>(*n));
  read_snapshot(res, out);
  return out;
}

Snapshot IngestRepo::load_snapshot_for(const std::vector<std::string>& rel_paths) {
  auto st = s_.con().prepare(
      "SELECT rel_path, size, mtime_ns, availability = 'available', header IS NOT NULL FROM sources "
      "WHERE location_id = $1 AND rel_path = $2");
  Snapshot out;
  for (const auto& p : rel_paths) {
    st.bind(1, location_id_).bind(2, p);
    auto res = st.execute();
    read_snapshot(res, out);
  }
  return out;
}

void IngestRepo::insert_events(const std::vector<EventRecord>& events) {
  if (events.empty()) return;
  auto st = s_.con().prepare("INSERT INTO events (kind, subject, message, details) VALUES ($1, $2, $3, $4::JSON)");
  for (const auto& e : events) st.bind(1, e.kind).bind(2, e.subject).bind(3, e.message).bind(4, e.details_json).execute();
}

void IngestRepo::add_events(const std::vector<EventRecord>& events) {
  Transaction tx(s_.con());
  insert_events(events);
  tx.commit();
}

std::vector<std::string> IngestRepo::recompute_tel(bool from_tel_stage, bool from_file_stage) {
  std::string affected;
  if (from_tel_stage) affected = "SELECT obsnum FROM ingest_tel_stage";
  if (from_file_stage) {
    if (!affected.empty()) affected += " UNION ";
    affected += "SELECT obsnum FROM ingest_stage WHERE master = 'tcs'";
  }
  std::vector<std::string> out;
  if (affected.empty()) return out;
  auto res = s_.con().query(fmt::format(kRecomputeTel, fmt::arg("affected", affected)));
  for (Chunk c = res.next_chunk(); c && c.size() > 0; c = res.next_chunk())
    for (std::size_t r = 0; r < c.size(); ++r) out.emplace_back(c.string(0, r));
  return out;
}

BatchOutcome IngestRepo::write_batch(const std::vector<FileRecord>& files, const std::vector<EventRecord>& events) {
  ensure_stage();
  BatchOutcome out;
  auto& con = s_.con();
  con.execute("DELETE FROM ingest_stage; DELETE FROM ingest_tel_stage;");
  bool any_reduced = false, any_tel = false, any_tcs = false;
  {
    auto app = con.appender("ingest_stage");
    for (const auto& f : files) {
      any_reduced |= f.reduced;
      any_tcs |= f.master == "tcs";
      app.append(f.rel_path).append(f.uid).append(f.reduced ? "dp_reduced_obs" : "dp_raw_obs").append(f.master);
      app.append(f.obsnum).append(std::int64_t{f.subobsnum}).append(std::int64_t{f.scannum});
      app.append(f.interface);
      if (f.roach)
        app.append(std::int64_t{*f.roach});
      else
        app.append_null();
      app.append(static_cast<std::int64_t>(f.data_kind)).append(f.is_raw);
      append_opt_ts(app, f.file_time);
      append_opt_ts(app, f.obs_start_time);
      app.append(f.size).append(f.mtime_ns).append(f.available ? "available" : "missing");
      app.append(f.cal_obsnum);
      if (f.cal_subobsnum)
        app.append(std::int64_t{*f.cal_subobsnum});
      else
        app.append_null();
      if (f.cal_scannum)
        app.append(std::int64_t{*f.cal_scannum});
      else
        app.append_null();
      app.append(f.problem).append(f.header_json);
      app.end_row();
    }
    app.close();
  }
  {
    auto app = con.appender("ingest_tel_stage");
    for (const auto& f : files) {
      if (!f.tel) continue;
      any_tel = true;
      const auto& t = *f.tel;
      app.append(t.master).append(t.obsnum).append(std::int64_t{t.subobsnum}).append(std::int64_t{t.scannum});
      app.append(t.origin).append(std::int64_t{tel_origin_rank(t.origin)});
      app.append(t.obs_goal).append(t.source_name).append(t.project_id).append(t.obs_pgm);
      app.append(t.tau).append(t.integration_time).append(t.az_deg).append(t.el_deg).append(t.extra_json);
      app.end_row();
    }
    app.close();
  }

  Transaction tx(con);
  {
    auto res = con.query(kInsertProducts);
    for (Chunk c = res.next_chunk(); c && c.size() > 0; c = res.next_chunk())
      for (std::size_t r = 0; r < c.size(); ++r)
        if (c.string(1, r) == "dp_raw_obs") out.created.emplace_back(c.string(0, r));
  }
  {
    auto st = con.prepare(kUpsertSources);
    st.bind(1, location_id_).execute();
  }
  {
    auto res = con.query(kRecomputeProducts);
    for (Chunk c = res.next_chunk(); c && c.size() > 0; c = res.next_chunk())
      for (std::size_t r = 0; r < c.size(); ++r)
        if (c.string(1, r) == "dp_raw_obs") out.changed.emplace_back(c.string(0, r));
  }
  if (any_reduced || !out.created.empty()) {
    // Raw observations created now may have reduced observations waiting for them.
    bool need = any_reduced;
    if (!need) need = con.scalar_int("SELECT count(*) FROM products WHERE product_type = 'dp_reduced_obs'").value_or(0) > 0;
    if (need) con.execute(kReducedEdges);
  }
  if (any_tel) con.execute(kUpsertTelMeta);
  if (any_tel || any_tcs) {
    auto changed = recompute_tel(any_tel, any_tcs && con.scalar_int("SELECT count(*) FROM tel_meta").value_or(0) > 0);
    out.changed.insert(out.changed.end(), changed.begin(), changed.end());
  }
  insert_events(events);
  tx.commit();
  return out;
}

BatchOutcome IngestRepo::mark_missing(const std::vector<std::string>& rel_paths,
                                      const std::vector<EventRecord>& events) {
  ensure_stage();
  BatchOutcome out;
  auto& con = s_.con();
  con.execute("DELETE FROM ingest_paths");
  {
    auto app = con.appender("ingest_paths");
    for (const auto& p : rel_paths) app.append(p).end_row();
    app.close();
  }
  Transaction tx(con);
  {
    auto st = con.prepare(
        "UPDATE products SET ingest_seq = nextval('seq_ingest'), updated_at = current_timestamp::TIMESTAMP "
        "WHERE product_type = 'dp_raw_obs' AND id IN (SELECT product_id FROM sources WHERE location_id = $1 "
        "AND availability <> 'missing' AND rel_path IN (SELECT rel_path FROM ingest_paths)) RETURNING uid");
    st.bind(1, location_id_);
    auto res = st.execute();
    for (Chunk c = res.next_chunk(); c && c.size() > 0; c = res.next_chunk())
      for (std::size_t r = 0; r < c.size(); ++r) out.changed.emplace_back(c.string(0, r));
  }
  {
    auto st = con.prepare(
        "UPDATE sources SET availability = 'missing', ingest_time = current_timestamp::TIMESTAMP "
        "WHERE location_id = $1 AND availability <> 'missing' AND rel_path IN (SELECT rel_path FROM ingest_paths)");
    st.bind(1, location_id_).execute();
  }
  insert_events(events);
  tx.commit();
  return out;
}

BatchOutcome IngestRepo::apply_tel_meta(const std::vector<TelMetaRecord>& rows,
                                        const std::vector<EventRecord>& events) {
  ensure_stage();
  BatchOutcome out;
  auto& con = s_.con();
  con.execute("DELETE FROM ingest_tel_stage");
  {
    auto app = con.appender("ingest_tel_stage");
    for (const auto& t : rows) {
      app.append(t.master).append(t.obsnum).append(std::int64_t{t.subobsnum}).append(std::int64_t{t.scannum});
      app.append(t.origin).append(std::int64_t{tel_origin_rank(t.origin)});
      app.append(t.obs_goal).append(t.source_name).append(t.project_id).append(t.obs_pgm);
      app.append(t.tau).append(t.integration_time).append(t.az_deg).append(t.el_deg).append(t.extra_json);
      app.end_row();
    }
    app.close();
  }
  Transaction tx(con);
  if (!rows.empty()) {
    con.execute(kUpsertTelMeta);
    out.changed = recompute_tel(true, false);
  }
  insert_events(events);
  tx.commit();
  return out;
}

std::int64_t IngestRepo::count_existing_raw_obs(const std::vector<std::string>& uids) {
  if (uids.empty()) return 0;
  ensure_stage();
  auto& con = s_.con();
  con.execute("DELETE FROM ingest_paths");
  {
    auto app = con.appender("ingest_paths");
    for (const auto& u : uids) app.append(u).end_row();
    app.close();
  }
  return con
      .scalar_int("SELECT count(*) FROM products WHERE product_type = 'dp_raw_obs' AND uid IN "
                  "(SELECT rel_path FROM ingest_paths)")
      .value_or(0);
}

std::int64_t IngestRepo::count_unmatched_tcs_obsnums(const std::vector<std::int64_t>& obsnums) {
  if (obsnums.empty()) return 0;
  ensure_stage();
  auto& con = s_.con();
  con.execute("DELETE FROM ingest_ids");
  {
    auto app = con.appender("ingest_ids");
    for (auto o : obsnums) app.append(o).end_row();
    app.close();
  }
  return con
      .scalar_int("SELECT count(DISTINCT id) FROM ingest_ids WHERE id NOT IN "
                  "(SELECT obsnum FROM products WHERE product_type = 'dp_raw_obs' AND master = 'tcs')")
      .value_or(0);
}

}  // namespace tolteca::db
