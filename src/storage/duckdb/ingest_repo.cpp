#include "storage/duckdb/ingest_repo.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <set>
#include <unordered_map>

namespace tolteca::storage::duckdb {

namespace {

// IngestOptions::trace (the CLI: TOLTECA_INGEST_TRACE) prints the wall and this thread's CPU time of every
// batch step to stderr. (One of the two tracers issue 14 lists: to be replaced by model/trace.h.)
struct StepTimer {
  explicit StepTimer(bool enabled) : on(enabled) {}
  bool on = false;
  std::chrono::steady_clock::time_point t = std::chrono::steady_clock::now();
  double cpu = thread_cpu_ms();
  static double thread_cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
  }
  void lap(const char* what, std::size_t n = 0) {
    if (!on) return;
    auto now = std::chrono::steady_clock::now();
    double c = thread_cpu_ms();
    std::fprintf(stderr, "[ingest] %-18s %8.2f ms wall %8.2f ms cpu (%zu)\n", what,
                 std::chrono::duration<double, std::milli>(now - t).count(), c - cpu, n);
    t = now;
    cpu = c;
  }
};

// Appends rows to a table through DuckDB data chunks (column vectors filled
// directly): several times faster than value-by-value appends. Only the listed
// columns are given; the others take their defaults (ids from sequences).
class ChunkAppender {
 public:
  ChunkAppender(Connection& con, const char* table, std::initializer_list<const char*> columns) : table_(table) {
    if (duckdb_appender_create(con.handle(), nullptr, table, &app_) == DuckDBError) fail("create");
    for (const char* c : columns)
      if (duckdb_appender_add_column(app_, c) == DuckDBError) fail(c);
    ncol_ = duckdb_appender_column_count(app_);
    std::vector<duckdb_logical_type> types(ncol_);
    types_.resize(ncol_);
    for (idx_t i = 0; i < ncol_; ++i) {
      types[i] = duckdb_appender_column_type(app_, i);
      types_[i] = duckdb_get_type_id(types[i]);
    }
    chunk_ = duckdb_create_data_chunk(types.data(), ncol_);
    for (auto& t : types) duckdb_destroy_logical_type(&t);
    cap_ = duckdb_vector_size();
    bind_vectors();
  }
  ~ChunkAppender() {
    if (chunk_) duckdb_destroy_data_chunk(&chunk_);
    if (app_) duckdb_appender_destroy(&app_);
  }
  ChunkAppender(const ChunkAppender&) = delete;
  ChunkAppender& operator=(const ChunkAppender&) = delete;

  void i64(idx_t col, std::optional<std::int64_t> v) {
    if (!v) return null(col);
    switch (types_[col]) {
      case DUCKDB_TYPE_BIGINT:
      case DUCKDB_TYPE_TIMESTAMP: static_cast<std::int64_t*>(data_[col])[row_] = *v; break;
      case DUCKDB_TYPE_INTEGER: static_cast<std::int32_t*>(data_[col])[row_] = static_cast<std::int32_t>(*v); break;
      case DUCKDB_TYPE_SMALLINT: static_cast<std::int16_t*>(data_[col])[row_] = static_cast<std::int16_t>(*v); break;
      default: throw DbError(fmt::format("appender {}: column {} is not an integer column", table_, col));
    }
  }
  void boolean(idx_t col, bool v) { static_cast<bool*>(data_[col])[row_] = v; }
  void dbl(idx_t col, std::optional<double> v) {
    if (!v) return null(col);
    static_cast<double*>(data_[col])[row_] = *v;
  }
  void str(idx_t col, std::string_view v) {
    duckdb_vector_assign_string_element_len(vec_[col], row_, v.data(), v.size());
  }
  void str(idx_t col, const std::optional<std::string>& v) {
    if (!v) return null(col);
    str(col, std::string_view(*v));
  }
  void null(idx_t col) {
    duckdb_vector_ensure_validity_writable(vec_[col]);
    duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vec_[col]), row_);
  }
  void end_row() {
    if (++row_ == cap_) flush_chunk();
  }
  // Flushes everything into the table (within the connection's transaction).
  void close() {
    flush_chunk();
    if (duckdb_appender_close(app_) == DuckDBError) fail("close");
  }

 private:
  [[noreturn]] void fail(const char* what) {
    std::string e = app_ && duckdb_appender_error(app_) ? duckdb_appender_error(app_) : "";
    throw DbError(fmt::format("appender {} ({}): {}", table_, what, e));
  }
  void bind_vectors() {
    vec_.resize(ncol_);
    data_.resize(ncol_);
    for (idx_t i = 0; i < ncol_; ++i) {
      vec_[i] = duckdb_data_chunk_get_vector(chunk_, i);
      data_[i] = duckdb_vector_get_data(vec_[i]);
    }
  }
  void flush_chunk() {
    if (row_ == 0) return;
    duckdb_data_chunk_set_size(chunk_, row_);
    if (duckdb_append_data_chunk(app_, chunk_) == DuckDBError) fail("append chunk");
    duckdb_data_chunk_reset(chunk_);
    row_ = 0;
    bind_vectors();
  }

  std::string table_;
  duckdb_appender app_ = nullptr;
  duckdb_data_chunk chunk_ = nullptr;
  idx_t ncol_ = 0, cap_ = 0, row_ = 0;
  std::vector<duckdb_type> types_;
  std::vector<duckdb_vector> vec_;
  std::vector<void*> data_;
};

// Temp (connection-local, in memory) staging tables.
constexpr const char* kStageDdl = R"SQL(
CREATE TEMP TABLE IF NOT EXISTS ingest_products (
  uid VARCHAR, product_type VARCHAR, master VARCHAR, obsnum BIGINT, subobsnum INTEGER, scannum INTEGER,
  data_kind INTEGER, obs_start_time TIMESTAMP);
CREATE TEMP TABLE IF NOT EXISTS ingest_updates (
  source_id BIGINT, product_id BIGINT, interface VARCHAR, roach SMALLINT, data_kind INTEGER, is_raw BOOLEAN,
  file_time TIMESTAMP, obs_start_time TIMESTAMP, size BIGINT, mtime_ns BIGINT, availability VARCHAR,
  cal_obsnum BIGINT, cal_subobsnum INTEGER, cal_scannum INTEGER, problem VARCHAR, header VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS ingest_tel_stage (
  master VARCHAR, obsnum BIGINT, subobsnum INTEGER, scannum INTEGER, origin VARCHAR, origin_rank INTEGER,
  obs_goal VARCHAR, source_name VARCHAR, project_id VARCHAR, obs_pgm VARCHAR,
  tau DOUBLE, integration_time DOUBLE, az_deg DOUBLE, el_deg DOUBLE, extra VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS ingest_paths (rel_path VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS ingest_ids (id BIGINT);
)SQL";

// Adds the batch's new files to existing products: kind |= (bitwise OR),
// start = least(…) (NULLs ignored). Exact for added files, so order-independent;
// changed files trigger kRecomputeProducts instead. (No RETURNING anywhere:
// in DuckDB 1.4 it costs ~20 µs per row.)
constexpr const char* kNewProductUids = R"SQL(
SELECT s.uid, s.product_type FROM ingest_products s WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.uid = s.uid)
)SQL";

constexpr const char* kUpdateProducts = R"SQL(
UPDATE products SET
  data_kind = products.data_kind | s.data_kind,
  obs_start_time = least(products.obs_start_time, s.obs_start_time),
  ingest_seq = CASE WHEN products.product_type = 'dp_raw_obs' THEN nextval('seq_ingest') ELSE products.ingest_seq END,
  updated_at = now()::TIMESTAMP
FROM ingest_products s WHERE products.uid = s.uid
)SQL";

constexpr const char* kInsertProducts = R"SQL(
INSERT INTO products (product_type, uid, name, master, obsnum, subobsnum, scannum, data_kind, obs_start_time,
                      ingest_seq)
SELECT product_type, uid, uid, master, obsnum, subobsnum, scannum, data_kind, obs_start_time,
       CASE WHEN product_type = 'dp_raw_obs' THEN nextval('seq_ingest') END
FROM ingest_products s WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.uid = s.uid)
)SQL";

constexpr const char* kUpdateSources = R"SQL(
UPDATE sources SET
  interface = u.interface, roach = u.roach, data_kind = u.data_kind, is_raw = u.is_raw, file_time = u.file_time,
  obs_start_time = u.obs_start_time, size = u.size, mtime_ns = u.mtime_ns, availability = u.availability,
  cal_obsnum = u.cal_obsnum, cal_subobsnum = u.cal_subobsnum, cal_scannum = u.cal_scannum, problem = u.problem,
  header = u.header::JSON, ingest_time = now()::TIMESTAMP
FROM ingest_updates u WHERE sources.id = u.source_id
)SQL";

// Products with changed files: kind = OR of all the product's files (every
// location, available or not); start = the earliest file start.
constexpr const char* kRecomputeProducts = R"SQL(
UPDATE products SET
  data_kind = a.k,
  obs_start_time = a.t,
  ingest_seq = CASE WHEN products.product_type = 'dp_raw_obs' THEN nextval('seq_ingest') ELSE products.ingest_seq END,
  updated_at = now()::TIMESTAMP
FROM (
  SELECT src.product_id, bit_or(src.data_kind) AS k, min(src.obs_start_time) AS t
  FROM sources src
  WHERE src.product_id IN (SELECT id FROM ingest_ids)
  GROUP BY src.product_id
) a
WHERE products.id = a.product_id
)SQL";

constexpr const char* kReducedEdges = R"SQL(
INSERT INTO edges (assoc_type, src_product_id, dst_product_id)
SELECT 'dpa_reduced_obs_raw_obs', r.id, w.id
FROM products r JOIN products w ON r.uid = 'reduced:' || w.uid
WHERE r.product_type = 'dp_reduced_obs' AND w.product_type = 'dp_raw_obs'
  AND (r.uid IN (SELECT uid FROM ingest_products) OR w.uid IN (SELECT uid FROM ingest_products))
  AND NOT EXISTS (SELECT 1 FROM edges e WHERE e.assoc_type = 'dpa_reduced_obs_raw_obs'
                  AND e.src_product_id = r.id AND e.dst_product_id = w.id)
)SQL";

constexpr const char* kUpsertTelMeta = R"SQL(
INSERT INTO tel_meta (master, obsnum, subobsnum, scannum, origin, origin_rank, obs_goal, source_name, project_id,
                      obs_pgm, tau, integration_time, az_deg, el_deg, extra)
SELECT master, obsnum, subobsnum, scannum, origin, origin_rank, any_value(obs_goal),
       any_value(source_name), any_value(project_id), any_value(obs_pgm), any_value(tau),
       any_value(integration_time), any_value(az_deg), any_value(el_deg), any_value(extra)::JSON
FROM ingest_tel_stage GROUP BY master, obsnum, subobsnum, scannum, origin, origin_rank
ON CONFLICT (master, obsnum, subobsnum, scannum, origin) DO UPDATE SET
  obs_goal = excluded.obs_goal, source_name = excluded.source_name, project_id = excluded.project_id,
  obs_pgm = excluded.obs_pgm, tau = excluded.tau, integration_time = excluded.integration_time,
  az_deg = excluded.az_deg, el_deg = excluded.el_deg, extra = excluded.extra,
  updated_at = now()::TIMESTAMP
)SQL";

// The telescope columns of every tcs raw observation of the affected obsnums:
// its own quartet's best row (tel_toltec > tel_toltec2 > csv), else the obsnum's
// lowest (subobsnum, scannum). Only rows whose values change are touched.
constexpr const char* kTelTargets = R"SQL(
CREATE OR REPLACE TEMP TABLE ingest_tel_targets AS
SELECT b.* FROM (
  SELECT p.id, p.uid, t.obs_goal, t.source_name, t.project_id, t.obs_pgm, t.tau, t.integration_time, t.az_deg,
         t.el_deg, coalesce(t.extra, '{{}}'::JSON) AS extra,
         t.master || '-' || t.obsnum || '-' || t.subobsnum || '-' || t.scannum AS tel_from,
         p.obs_goal AS o_goal, p.source_name AS o_source, p.project_id AS o_project, p.obs_pgm AS o_pgm,
         p.tau AS o_tau, p.integration_time AS o_int, p.az_deg AS o_az, p.el_deg AS o_el, p.meta AS o_meta,
         row_number() OVER (PARTITION BY p.id
                            ORDER BY (t.subobsnum = p.subobsnum AND t.scannum = p.scannum) DESC,
                                     t.subobsnum, t.scannum, t.origin_rank) AS rn
  FROM products p JOIN tel_meta t ON t.master = p.master AND t.obsnum = p.obsnum
  WHERE p.product_type = 'dp_raw_obs' AND p.master = 'tcs' AND p.obsnum IN ({affected})
) b
WHERE b.rn = 1 AND (
  b.o_goal IS DISTINCT FROM b.obs_goal OR b.o_source IS DISTINCT FROM b.source_name OR
  b.o_project IS DISTINCT FROM b.project_id OR b.o_pgm IS DISTINCT FROM b.obs_pgm OR
  b.o_tau IS DISTINCT FROM b.tau OR b.o_int IS DISTINCT FROM b.integration_time OR
  b.o_az IS DISTINCT FROM b.az_deg OR b.o_el IS DISTINCT FROM b.el_deg OR
  (b.o_meta ->> 'tel_from') IS DISTINCT FROM b.tel_from OR
  CAST(b.o_meta -> 'tel' AS VARCHAR) IS DISTINCT FROM CAST(b.extra AS VARCHAR))
)SQL";

constexpr const char* kApplyTelTargets = R"SQL(
UPDATE products SET
  obs_goal = b.obs_goal, source_name = b.source_name, project_id = b.project_id, obs_pgm = b.obs_pgm,
  tau = b.tau, integration_time = b.integration_time, az_deg = b.az_deg, el_deg = b.el_deg,
  meta = json_merge_patch(coalesce(products.meta, '{}'::JSON), json_object('tel', b.extra, 'tel_from', b.tel_from)),
  ingest_seq = nextval('seq_ingest'),
  updated_at = now()::TIMESTAMP
FROM ingest_tel_targets b WHERE products.id = b.id
)SQL";

void append_tel(ChunkAppender& a, const TelMetaRecord& t) {
  a.str(0, std::string_view(t.master));
  a.i64(1, t.obsnum);
  a.i64(2, t.subobsnum);
  a.i64(3, t.scannum);
  a.str(4, std::string_view(t.origin));
  a.i64(5, tel_origin_rank(t.origin));
  a.str(6, t.obs_goal);
  a.str(7, t.source_name);
  a.str(8, t.project_id);
  a.str(9, t.obs_pgm);
  a.dbl(10, t.tau);
  a.dbl(11, t.integration_time);
  a.dbl(12, t.az_deg);
  a.dbl(13, t.el_deg);
  a.str(14, std::string_view(t.extra_json));
  a.end_row();
}

#define TEL_STAGE_COLUMNS                                                                                          \
  {"master", "obsnum", "subobsnum", "scannum", "origin", "origin_rank", "obs_goal", "source_name", "project_id", \
   "obs_pgm", "tau", "integration_time", "az_deg", "el_deg", "extra"}

template <typename F>
void for_each_row(Result& res, F&& f) {
  for (Chunk c = res.next_chunk(); c && c.size() > 0; c = res.next_chunk())
    for (std::size_t r = 0; r < c.size(); ++r) f(c, r);
}

}  // namespace

IngestRepo::IngestRepo(Session& s, std::int64_t location_id, const storage::IngestOptions& options)
    : s_(s), location_id_(location_id), options_(options) {}
IngestRepo::~IngestRepo() {
  if (saved_threads_) {
    try {
      s_.con().execute(fmt::format("SET threads = {}", *saved_threads_));
    } catch (...) {
      // Best effort: the setting only affects speed.
    }
  }
}

void IngestRepo::ensure_stage() {
  if (stage_ready_) return;
  // One DuckDB thread while ingesting: the batches are small, the other cores
  // walk and parse, and DuckDB's idle workers spinning for tasks cost more CPU
  // than they save (measured: 1.4 s vs 2.4 s CPU per 100 000 files).
  // IngestOptions::db_threads overrides (for measurements; the CLI: TOLTECA_INGEST_DB_THREADS).
  const int threads = options_.db_threads ? std::max(1, *options_.db_threads) : 1;
  saved_threads_ = s_.con().scalar_int("SELECT current_setting('threads')::BIGINT");
  s_.con().execute(fmt::format("SET threads = {}", threads));
  s_.con().execute(kStageDdl);
  stage_ready_ = true;
}

namespace {
constexpr const char* kSnapshotSelect =
    "SELECT rel_path, id, size, mtime_ns, availability = 'available', header IS NOT NULL FROM sources "
    "WHERE location_id = $1";

void read_snapshot(Result& res, Snapshot& out) {
  for (Chunk c = res.next_chunk(); c && c.size() > 0; c = res.next_chunk()) {
    const auto* id = c.data<std::int64_t>(1);
    const auto* size = c.data<std::int64_t>(2);
    const auto* mtime = c.data<std::int64_t>(3);
    const auto* avail = c.data<bool>(4);
    const auto* hdr = c.data<bool>(5);
    for (std::size_t r = 0; r < c.size(); ++r) {
      SnapshotEntry e;
      e.id = id[r];
      e.size = c.is_null(2, r) ? -1 : size[r];
      e.mtime_ns = c.is_null(3, r) ? -1 : mtime[r];
      e.available = avail[r];
      e.header_read = hdr[r];
      out.emplace(std::string(c.string(0, r)), e);
    }
  }
}
}  // namespace

namespace {
Snapshot load_snapshot_on(Connection& con, std::int64_t location_id, std::string_view prefix, bool trace) {
  StepTimer timer(trace);
  auto st = con.prepare(std::string(kSnapshotSelect) + " AND starts_with(rel_path, $2)");
  st.bind(1, location_id).bind(2, prefix);
  Snapshot out;
  auto n = con.prepare("SELECT count(*) FROM sources WHERE location_id = $1 AND starts_with(rel_path, $2)");
  n.bind(1, location_id).bind(2, prefix);
  auto rows = n.execute().rows();
  if (!rows.empty()) out.reserve(static_cast<std::size_t>(std::get<std::int64_t>(rows[0][0])));
  auto res = st.execute();
  read_snapshot(res, out);
  timer.lap("load snapshot", out.size());
  return out;
}
}  // namespace

Snapshot IngestRepo::load_snapshot(std::string_view prefix) { return load_snapshot_on(s_.con(), location_id_, prefix, options_.trace); }

Snapshot load_snapshot_own_connection(Session& s, std::int64_t location_id, std::string_view prefix, bool trace) {
  Connection con(s.database());
  return load_snapshot_on(con, location_id, prefix, trace);
}

Snapshot IngestRepo::load_snapshot_for(const std::vector<std::string>& rel_paths) {
  auto st = s_.con().prepare(std::string(kSnapshotSelect) + " AND rel_path = $2");
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

std::unordered_set<std::string> IngestRepo::event_keys(const std::string& kind) {
  auto st = s_.con().prepare("SELECT subject, message FROM events WHERE kind = $1");
  st.bind(1, kind);
  std::unordered_set<std::string> out;
  auto res = st.execute();
  for_each_row(res, [&](Chunk& c, std::size_t r) {
    std::string key(c.is_null(0, r) ? std::string_view() : c.string(0, r));
    key += '\n';
    if (!c.is_null(1, r)) key += c.string(1, r);
    out.insert(std::move(key));
  });
  return out;
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
    affected += "SELECT obsnum FROM ingest_products WHERE master = 'tcs'";
  }
  std::vector<std::string> out;
  if (affected.empty()) return out;
  auto& con = s_.con();
  con.execute(fmt::format(kTelTargets, fmt::arg("affected", affected)));
  auto res = con.query("SELECT uid FROM ingest_tel_targets");
  for_each_row(res, [&](Chunk& c, std::size_t r) { out.emplace_back(c.string(0, r)); });
  if (!out.empty()) con.execute(kApplyTelTargets);
  return out;
}

BatchOutcome IngestRepo::write_batch(const std::vector<FileRecord>& files, const std::vector<EventRecord>& events) {
  ensure_stage();
  BatchOutcome out;
  StepTimer timer(options_.trace);
  auto& con = s_.con();
  con.execute("DELETE FROM ingest_products; DELETE FROM ingest_updates; DELETE FROM ingest_tel_stage; "
              "DELETE FROM ingest_ids;");

  // The batch's products (one row per uid) with the aggregate of its new files.
  bool any_reduced = false, any_tel = false, any_tcs = false, any_update = false;
  struct Agg {
    const FileRecord* first;
    DataKindBits kind = 0;
    std::optional<UnixMicros> start;
    std::int64_t id = 0;
  };
  std::unordered_map<std::string_view, Agg> products;
  products.reserve(files.size());
  std::vector<const FileRecord*> order;
  for (const auto& f : files) {
    any_reduced |= f.reduced;
    any_tel |= f.tel.has_value();
    any_update |= f.source_id.has_value();
    auto [it, fresh] = products.try_emplace(f.uid, Agg{&f, 0, std::nullopt, 0});
    if (fresh) order.push_back(&f);
    if (f.source_id) continue;  // changed files: recomputed from sources below
    it->second.kind |= f.data_kind;
    if (f.obs_start_time && (!it->second.start || *f.obs_start_time < *it->second.start))
      it->second.start = f.obs_start_time;
  }
  {
    ChunkAppender a(con, "ingest_products",
                    {"uid", "product_type", "master", "obsnum", "subobsnum", "scannum", "data_kind", "obs_start_time"});
    for (const FileRecord* f : order) {
      const Agg& g = products.at(f->uid);
      any_tcs |= f->master == "tcs";
      a.str(0, std::string_view(f->uid));
      a.str(1, std::string_view(f->reduced ? "dp_reduced_obs" : "dp_raw_obs"));
      a.str(2, std::string_view(f->master));
      a.i64(3, f->obsnum);
      a.i64(4, f->subobsnum);
      a.i64(5, f->scannum);
      a.i64(6, static_cast<std::int64_t>(g.kind));
      a.i64(7, g.start);
      a.end_row();
    }
    a.close();
  }
  if (any_tel) {
    ChunkAppender a(con, "ingest_tel_stage", TEL_STAGE_COLUMNS);
    for (const auto& f : files)
      if (f.tel) append_tel(a, *f.tel);
    a.close();
  }
  timer.lap("stage products", products.size());

  Transaction tx(con);
  {
    auto res = con.query(kNewProductUids);
    for_each_row(res, [&](Chunk& c, std::size_t r) {
      if (c.string(1, r) == "dp_raw_obs") out.created.emplace_back(c.string(0, r));
    });
    con.execute(kUpdateProducts);
    con.execute(kInsertProducts);
  }
  {
    auto res = con.query("SELECT s.uid, p.id, p.product_type FROM ingest_products s JOIN products p ON p.uid = s.uid");
    for_each_row(res, [&](Chunk& c, std::size_t r) {
      auto uid = c.string(0, r);
      auto it = products.find(uid);
      if (it != products.end()) it->second.id = c.data<std::int64_t>(1)[r];
      if (c.string(2, r) == "dp_raw_obs") out.changed.emplace_back(uid);
    });
  }
  timer.lap("upsert products", out.created.size());

  // New files: appended straight into sources. Changed files: staged, then one UPDATE.
  {
    ChunkAppender a(con, "sources",
                    {"product_id", "location_id", "rel_path", "interface", "roach", "data_kind", "is_raw", "file_time",
                     "obs_start_time", "size", "mtime_ns", "availability", "cal_obsnum", "cal_subobsnum",
                     "cal_scannum", "problem", "header"});
    std::optional<ChunkAppender> u;
    if (any_update)
      u.emplace(con, "ingest_updates",
                std::initializer_list<const char*>{"source_id", "product_id", "interface", "roach", "data_kind",
                                                   "is_raw", "file_time", "obs_start_time", "size", "mtime_ns",
                                                   "availability", "cal_obsnum", "cal_subobsnum", "cal_scannum",
                                                   "problem", "header"});
    for (const auto& f : files) {
      const std::int64_t pid = products.at(f.uid).id;
      ChunkAppender* t = &a;
      idx_t c = 0;
      if (f.source_id) {
        t = &*u;
        t->i64(c++, *f.source_id);
        t->i64(c++, pid);
      } else {
        t->i64(c++, pid);
        t->i64(c++, location_id_);
        t->str(c++, std::string_view(f.rel_path));
      }
      t->str(c++, std::string_view(f.interface));
      t->i64(c++, f.roach ? std::optional<std::int64_t>(*f.roach) : std::nullopt);
      t->i64(c++, static_cast<std::int64_t>(f.data_kind));
      t->boolean(c++, f.is_raw);
      t->i64(c++, f.file_time);
      t->i64(c++, f.obs_start_time);
      t->i64(c++, f.size);
      t->i64(c++, f.mtime_ns);
      t->str(c++, std::string_view(f.available ? "available" : "missing"));
      t->i64(c++, f.cal_obsnum);
      t->i64(c++, f.cal_subobsnum ? std::optional<std::int64_t>(*f.cal_subobsnum) : std::nullopt);
      t->i64(c++, f.cal_scannum ? std::optional<std::int64_t>(*f.cal_scannum) : std::nullopt);
      t->str(c++, f.problem);
      t->str(c++, f.header_json);
      t->end_row();
    }
    a.close();
    if (u) u->close();
  }
  timer.lap("append sources", files.size());
  if (any_update) con.execute(kUpdateSources);
  timer.lap("update sources");

  if (any_update) {
    ChunkAppender a(con, "ingest_ids", {"id"});
    for (const auto& f : files) {
      if (!f.source_id) continue;
      a.i64(0, products.at(f.uid).id);
      a.end_row();
    }
    a.close();
    con.execute(kRecomputeProducts);
  }
  timer.lap("recompute products", out.changed.size());
  if (any_reduced || !out.created.empty()) {
    // Raw observations created now may have reduced observations waiting for them.
    bool need = any_reduced;
    if (!need)
      need = con.scalar_int("SELECT count(*) FROM products WHERE product_type = 'dp_reduced_obs'").value_or(0) > 0;
    if (need) con.execute(kReducedEdges);
  }
  if (any_tel) con.execute(kUpsertTelMeta);
  if (any_tel || any_tcs) {
    bool tcs = any_tcs && con.scalar_int("SELECT count(*) FROM tel_meta").value_or(0) > 0;
    auto changed = recompute_tel(any_tel, tcs);
    out.changed.insert(out.changed.end(), changed.begin(), changed.end());
  }
  timer.lap("edges + tel");
  insert_events(events);
  tx.commit();
  timer.lap("events + commit", events.size());

  return out;
}

BatchOutcome IngestRepo::mark_missing(const std::vector<std::string>& rel_paths,
                                      const std::vector<EventRecord>& events) {
  ensure_stage();
  BatchOutcome out;
  auto& con = s_.con();
  con.execute("DELETE FROM ingest_paths");
  {
    ChunkAppender a(con, "ingest_paths", {"rel_path"});
    for (const auto& p : rel_paths) {
      a.str(0, std::string_view(p));
      a.end_row();
    }
    a.close();
  }
  Transaction tx(con);
  {
    con.execute("DELETE FROM ingest_ids");
    auto st = con.prepare(
        "INSERT INTO ingest_ids SELECT DISTINCT product_id FROM sources WHERE location_id = $1 "
        "AND availability <> 'missing' AND rel_path IN (SELECT rel_path FROM ingest_paths)");
    st.bind(1, location_id_).execute();
    auto res = con.query(
        "SELECT uid FROM products WHERE product_type = 'dp_raw_obs' AND id IN (SELECT id FROM ingest_ids)");
    for_each_row(res, [&](Chunk& c, std::size_t r) { out.changed.emplace_back(c.string(0, r)); });
    con.execute(
        "UPDATE products SET ingest_seq = nextval('seq_ingest'), updated_at = now()::TIMESTAMP "
        "WHERE product_type = 'dp_raw_obs' AND id IN (SELECT id FROM ingest_ids)");
  }
  {
    auto st = con.prepare(
        "UPDATE sources SET availability = 'missing', ingest_time = now()::TIMESTAMP "
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
    ChunkAppender a(con, "ingest_tel_stage", TEL_STAGE_COLUMNS);
    for (const auto& t : rows) append_tel(a, t);
    a.close();
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
  if (s_.read_only()) {  // dry runs: a read-only database takes no appends, not even to temp tables
    auto st = s_.con().prepare("SELECT count(*) FROM products WHERE product_type = 'dp_raw_obs' AND uid = $1");
    std::int64_t n = 0;
    for (const auto& u : uids) {
      st.bind(1, u);
      auto rows = st.execute().rows();
      if (!rows.empty()) n += std::get<std::int64_t>(rows[0][0]);
    }
    return n;
  }
  ensure_stage();
  auto& con = s_.con();
  con.execute("DELETE FROM ingest_paths");
  {
    ChunkAppender a(con, "ingest_paths", {"rel_path"});
    for (const auto& u : uids) {
      a.str(0, std::string_view(u));
      a.end_row();
    }
    a.close();
  }
  return con
      .scalar_int("SELECT count(*) FROM products WHERE product_type = 'dp_raw_obs' AND uid IN "
                  "(SELECT rel_path FROM ingest_paths)")
      .value_or(0);
}

std::int64_t IngestRepo::count_unmatched_tcs_obsnums(const std::vector<std::int64_t>& obsnums) {
  if (obsnums.empty()) return 0;
  if (s_.read_only()) {  // dry runs: a read-only database takes no appends, not even to temp tables
    auto st = s_.con().prepare(
        "SELECT count(*) FROM products WHERE product_type = 'dp_raw_obs' AND master = 'tcs' AND obsnum = $1");
    std::set<std::int64_t> distinct(obsnums.begin(), obsnums.end());
    std::int64_t n = 0;
    for (auto o : distinct) {
      st.bind(1, o);
      auto rows = st.execute().rows();
      if (rows.empty() || std::get<std::int64_t>(rows[0][0]) == 0) ++n;
    }
    return n;
  }
  ensure_stage();
  auto& con = s_.con();
  con.execute("DELETE FROM ingest_ids");
  {
    ChunkAppender a(con, "ingest_ids", {"id"});
    for (auto o : obsnums) {
      a.i64(0, o);
      a.end_row();
    }
    a.close();
  }
  return con
      .scalar_int("SELECT count(DISTINCT id) FROM ingest_ids WHERE id NOT IN "
                  "(SELECT obsnum FROM products WHERE product_type = 'dp_raw_obs' AND master = 'tcs')")
      .value_or(0);
}

}  // namespace tolteca::storage::duckdb
