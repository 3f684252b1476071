// Query performance on a 1 000 000-observation registry.
//
// The registry is generated once with set-based SQL (DuckDB range()) into
// $TOLTECA_BENCH_DB (default /tmp/tolteca_query_bench.duckdb) and reused:
//   1 000 000 raw observations (ics and tcs, ~9 nights per 100 000), 11-12
//   network files each (+ a telescope file for tcs), ~1 cal edge each, a
//   3-member cal group per 10 observations, 0.1 % files missing, some failed
//   ingest events.
// Measured inside the engine (one open read-only Session, as the CLI does):
//   BM_SpecOneObsnum  storage::duckdb::query_obs for "ics-<obsnum>" (all its sub-obs/scans)
//   BM_SpecFilesOne   storage::duckdb::query_files for one observation
//   BM_Stats          storage::duckdb::query_stats
// Run: build/bench/query_bench --benchmark_min_time=2
// Set TOLTECA_BENCH_OBS to use a smaller registry (e.g. 100000) for a quick run.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sys/resource.h>

#include "bench_main.h"
#include "query/spec.h"
#include "storage/duckdb/query_repo.h"
#include "storage/duckdb/session.h"

using namespace tolteca;

namespace {

std::int64_t n_obs() {
  const char* e = std::getenv("TOLTECA_BENCH_OBS");
  return e ? std::atoll(e) : 1'000'000;
}

std::string bench_path() {
  const char* e = std::getenv("TOLTECA_BENCH_DB");
  if (e && *e) return e;
  return fmt::format("/tmp/tolteca_query_bench_{}.duckdb", n_obs());
}

// Generates the registry (test/bench support: writes rows directly as
// docs/ARCHITECTURE.md describes them). Longer than 80 lines on purpose: mostly
// SQL text, one set-based INSERT ... SELECT per table, in the order they depend on each other.
void generate(const std::string& path, std::int64_t n) {
  auto t0 = std::chrono::steady_clock::now();
  auto s = storage::duckdb::Session::open("duckdb:///" + path, storage::OpenOptions{storage::OpenMode::Create, 0, {}});
  auto& con = s->con();
  storage::duckdb::Transaction tx(con);
  con.execute("INSERT INTO locations (label, root_path, priority) VALUES ('LMT', '/data_lmt', 0)");
  // Observation i: ics for 70 %, tcs for 30 %; obsnum grows every 4 observations
  // (sub-obs 0..3); start times 40 s apart; kinds cycle VNA, targ, tune, timestream.
  con.execute(fmt::format(R"SQL(
    INSERT INTO products (id, product_type, uid, name, master, obsnum, subobsnum, scannum, data_kind,
                          obs_start_time, obs_goal, source_name, project_id, tau, ingest_seq)
    SELECT i + 1, 'dp_raw_obs', uid, uid, master, obsnum, sub, scan, kind, start, goal, src, proj, tau, i + 1
    FROM (
      SELECT i, m AS master,
             CASE WHEN m = 'ics' THEN 10000 + i // 4 ELSE 100000 + i // 4 END AS obsnum,
             CAST(i % 4 AS INTEGER) AS sub, CAST(CASE WHEN m = 'tcs' THEN 1 + i % 2 ELSE 0 END AS INTEGER) AS scan,
             CASE WHEN m = 'tcs' THEN (CASE WHEN i % 2 = 0 THEN 4 ELSE 8 END) | 16
                  ELSE CAST(pow(2, i % 4) AS INTEGER) END AS kind,
             TIMESTAMP '2022-01-01 00:00:00' + to_seconds(i * 40) AS start,
             CASE WHEN m = 'tcs' THEN (CASE i % 5 WHEN 0 THEN 'focus' WHEN 1 THEN 'pointing' ELSE 'science' END) END AS goal,
             CASE WHEN m = 'tcs' THEN 'src' || (i % 50) END AS src,
             CASE WHEN m = 'tcs' THEN '2022-S1-' || (i % 7) END AS proj,
             CASE WHEN m = 'tcs' THEN 0.05 + (i % 30) / 100.0 END AS tau,
             m || '-' || (CASE WHEN m = 'ics' THEN 10000 + i // 4 ELSE 100000 + i // 4 END) || '-' || (i % 4) || '-'
               || (CASE WHEN m = 'tcs' THEN 1 + i % 2 ELSE 0 END) AS uid
      FROM (SELECT range AS i, CASE WHEN (range // 4) % 10 < 7 THEN 'ics' ELSE 'tcs' END AS m FROM range({}))
    ))SQL",
                          n));
  // Network files: networks 0..12 except one per observation (11 % 13 skipped for some).
  con.execute(R"SQL(
    INSERT INTO sources (id, product_id, location_id, rel_path, interface, roach, data_kind, is_raw, file_time,
                         size, availability)
    SELECT row_number() OVER (), p.id, 1,
           'toltec/' || p.master || '/toltec' || n || '/toltec' || n || '_' || lpad(CAST(p.obsnum AS VARCHAR), 6, '0')
             || '_' || lpad(CAST(p.subobsnum AS VARCHAR), 3, '0') || '_' || lpad(CAST(p.scannum AS VARCHAR), 4, '0')
             || '_' || strftime(p.obs_start_time, '%Y_%m_%d_%H_%M_%S') || '.nc',
           'toltec' || n, n, p.data_kind & 15, true, p.obs_start_time, 10000000,
           CASE WHEN (p.id * 13 + n) % 1000 = 0 THEN 'missing' ELSE 'available' END
    FROM products p, range(13) AS r(n)
    WHERE p.product_type = 'dp_raw_obs' AND NOT (n = 6 AND p.id % 3 = 0) AND NOT (n = 10 AND p.id % 2 = 0)
    ORDER BY p.id, n
  )SQL");
  con.execute(R"SQL(
    INSERT INTO sources (id, product_id, location_id, rel_path, interface, roach, data_kind, is_raw, file_time,
                         size, availability)
    SELECT (SELECT max(id) FROM sources) + row_number() OVER (), p.id, 1,
           'tel/tel_toltec_' || strftime(p.obs_start_time, '%Y-%m-%d') || '_' || lpad(CAST(p.obsnum AS VARCHAR), 6, '0')
             || '_' || lpad(CAST(p.subobsnum AS VARCHAR), 2, '0') || '_' || lpad(CAST(p.scannum AS VARCHAR), 4, '0')
             || '.nc',
           'tel_toltec', NULL, 16, true, p.obs_start_time, 100000, 'available'
    FROM products p WHERE p.product_type = 'dp_raw_obs' AND p.master = 'tcs' ORDER BY p.id
  )SQL");
  // Cal edges: every observation but the first points at its predecessor.
  con.execute(R"SQL(
    INSERT INTO edges (id, assoc_type, src_product_id, dst_product_id, context)
    SELECT id - 1, 'dpa_raw_obs_cal_obs', id, id - 1, '{"networks":[0,1,2,3,4,5,7,8,9,11,12]}'
    FROM products WHERE product_type = 'dp_raw_obs' AND id > 1
  )SQL");
  // A cal group per 10 observations (members: the first three).
  con.execute(fmt::format(R"SQL(
    INSERT INTO products (id, product_type, uid, name, master, obsnum, subobsnum, scannum, n_items, first_obsnum,
                          last_obsnum, latest_member_time)
    SELECT {0} + g + 1, 'dp_cal_group', 'cal_group:' || p.uid, p.master || '-' || p.obsnum || '-g3-cal', p.master,
           p.obsnum, p.subobsnum, p.scannum, 3, p.obsnum, p.obsnum, p.obs_start_time + INTERVAL 80 SECOND
    FROM (SELECT range AS g FROM range({1} // 10)) JOIN products p ON p.id = g * 10 + 1
  )SQL",
                          n, n));
  con.execute(fmt::format(R"SQL(
    INSERT INTO edges (id, assoc_type, src_product_id, dst_product_id)
    SELECT (SELECT max(id) FROM edges) + row_number() OVER (), 'dpa_cal_group_raw_obs', {0} + g + 1, g * 10 + 1 + k
    FROM range({1} // 10) AS t(g), range(3) AS u(k)
  )SQL",
                          n, n));
  con.execute(R"SQL(
    INSERT INTO events (kind, subject, message)
    SELECT 'failed', 'toltec/ics/toltec5/bad_' || range || '.nc', 'truncated netCDF file' FROM range(25)
  )SQL");
  // Keep the id sequences ahead of the explicit ids.
  for (const char* seq : {"seq_products", "seq_sources", "seq_edges"}) {
    std::string table = std::string(seq).substr(4);
    auto max_id = con.scalar_int("SELECT coalesce(max(id), 0) FROM " + table).value_or(0);
    con.execute(fmt::format("SELECT max(nextval('{}')) FROM range({})", seq, max_id));
  }
  tx.commit();
  con.execute("CHECKPOINT");
  auto dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cerr << fmt::format("generated {} ({} observations) in {:.1f} s\n", path, n, dt);
}

// CPU time of the whole process (every DuckDB thread), ms: wall-clock times on
// this shared 2-core machine swing with the other engineers' builds.
double process_cpu_ms() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

struct CpuCounter {
  benchmark::State& state;
  double start = process_cpu_ms();
  ~CpuCounter() {
    state.counters["cpu_ms_all_threads"] =
        benchmark::Counter((process_cpu_ms() - start) / static_cast<double>(state.iterations()));
  }
};

storage::duckdb::Session& session() {
  static std::unique_ptr<storage::duckdb::Session> s = [] {
    auto path = bench_path();
    if (!std::filesystem::exists(path)) generate(path, n_obs());
    return storage::duckdb::Session::open("duckdb:///" + path, storage::OpenOptions{storage::OpenMode::ReadOnly, 0, {}});
  }();
  return *s;
}

void BM_SpecOneObsnum(benchmark::State& state) {
  auto& s = session();
  query::ObsFilter f;
  std::int64_t obsnum = 10000 + n_obs() / 8;  // an ics obsnum in the middle (4 sub-observations)
  f.specs = {query::parse_spec(fmt::format("ics-{}", obsnum))};
  std::size_t rows = 0;
  CpuCounter cpu{state};
  for (auto _ : state) {
    auto r = storage::duckdb::query_obs(s, f, false);
    rows = r.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_SpecOneObsnum)->Unit(benchmark::kMillisecond);

void BM_SpecFilesOne(benchmark::State& state) {
  auto& s = session();
  query::FileFilter f;
  f.specs = {query::parse_spec(fmt::format("ics-{}-1-0", 10000 + n_obs() / 8))};
  std::size_t rows = 0;
  CpuCounter cpu{state};
  for (auto _ : state) {
    auto r = storage::duckdb::query_files(s, f);
    rows = r.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_SpecFilesOne)->Unit(benchmark::kMillisecond);

void BM_Stats(benchmark::State& state) {
  auto& s = session();
  std::int64_t obs = 0;
  CpuCounter cpu{state};
  for (auto _ : state) {
    auto st = storage::duckdb::query_stats(s);
    obs = st.observations;
    benchmark::DoNotOptimize(st);
  }
  state.counters["observations"] = static_cast<double>(obs);
}
BENCHMARK(BM_Stats)->Unit(benchmark::kMillisecond);

}  // namespace

TOLTECA_BENCHMARK_MAIN();
