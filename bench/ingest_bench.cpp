// Ingestion throughput through the library (what `tolteca_db ingest directory` runs), on trees kept
// between runs under the temp directory:
//   - names-only ingest of 100 000 zero-byte, correctly named files into a fresh database;
//   - re-scan of the same, unchanged tree (stat + snapshot compare; nothing written, no header opened);
//   - header ingest of 600 small classic netCDF network files with 1 and 2 worker threads, next to the
//     bare nc_open+nc_close floor over the same files.
// Database creation is excluded from the timings (PauseTiming); the final close/checkpoint is excluded.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <netcdf.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "bench_main.h"
#include "storage/duckdb/registry.h"
#include "storage/duckdb/session.h"
#include "files/header.h"
#include "sim/toltec_writer.h"
#include "ingest/ingest.h"

using namespace tolteca;
namespace fs = std::filesystem;

namespace {

const fs::path kRoot = fs::temp_directory_path() / "tolteca_ingest_bench_v1";

// data_lmt-like tree: 12 networks per raw observation, ics sweeps and tcs timestreams with a tel file.
const fs::path& names_tree(int n) {
  static fs::path root;
  if (!root.empty()) return root;
  root = kRoot / fmt::format("names_{}", n) / "data_lmt";
  if (fs::exists(root.parent_path() / "complete")) return root;
  fs::remove_all(root);
  static const char* suffixes[] = {"_vnasweep", "_targsweep", "_tune", "_timestream"};
  int made = 0;
  for (int obs = 0; made < n; ++obs) {
    const bool tcs = obs % 3 == 2;
    const long obsnum = tcs ? 100000 + obs : 10000 + obs / 100;
    const int sub = tcs ? 0 : obs % 100, scan = tcs ? 2 : 0;
    const int sec = obs * 37;
    std::string ts = fmt::format("2024_11_{:02}_{:02}_{:02}_{:02}", 13 + sec / 86400, sec / 3600 % 24, sec / 60 % 60,
                                 sec % 60);
    for (int net = 0; net < 12 && made < n; ++net, ++made) {
      fs::path d = root / "toltec" / (tcs ? "tcs" : "ics") / fmt::format("toltec{}", net);
      if (net == 0 || obs < 3) fs::create_directories(d);
      std::ofstream(d / fmt::format("toltec{}_{:06}_{:03}_{:04}_{}{}.nc", net, obsnum, sub, scan, ts,
                                    tcs ? "" : suffixes[obs % 4]));
    }
    if (tcs && made < n) {
      fs::create_directories(root / "tel");
      std::ofstream(root / "tel" /
                    fmt::format("tel_toltec_2024-11-{:02}_{:06}_{:02}_{:04}.nc", 13 + sec / 86400, obsnum, sub, scan));
      ++made;
    }
  }
  std::ofstream(root.parent_path() / "complete");
  return root;
}

const fs::path& header_tree(std::vector<std::string>* files = nullptr) {
  static fs::path root = kRoot / "headers_600" / "data_lmt";
  static std::vector<std::string> list;
  if (list.empty()) {
    const bool ready = fs::exists(root.parent_path() / "complete");
    for (int i = 0; i < 600; ++i) {
      sim::NetworkFileSpec s;
      s.format = sim::NcFormat::classic;
      s.master = Master::ics;
      s.roach = i % 12;
      s.obsnum = 18000 + i / 12;
      s.obs_type = 2 + (i / 12) % 3;
      s.obs_start = 1731518686 + i;
      static const char* suffix[] = {"vnasweep", "targsweep", "tune"};
      fs::path p = root / "toltec/ics" / fmt::format("toltec{}", s.roach) /
                   fmt::format("toltec{}_{:06}_000_0000_2024_11_13_17_{:02}_{:02}_{}.nc", s.roach, s.obsnum,
                               (i / 60) % 60, i % 60, suffix[s.obs_type - 2]);
      if (!ready) {
        fs::create_directories(p.parent_path());
        sim::write_network_file(p.string(), s);
      }
      list.push_back(p.string());
    }
    std::ofstream(root.parent_path() / "complete");
  }
  if (files) *files = list;
  return root;
}

std::unique_ptr<storage::duckdb::Session> fresh_db(const std::string& name) {
  fs::path p = kRoot / name;
  fs::remove(p);
  fs::remove(p.string() + ".wal");
  return storage::duckdb::Session::open(p.string(), storage::OpenOptions{storage::OpenMode::Create, 0, {}});
}

void BM_IngestNamesOnly(benchmark::State& state) {
  const auto& root = names_tree(static_cast<int>(state.range(0)));
  std::int64_t files = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto s = fresh_db("names.duckdb");
    state.ResumeTiming();
    ingest::IngestOptions o;
    o.read_headers = false;
    auto sum = ingest::ingest_directory(*storage::duckdb::borrow(*s), root.string(), o);
    files += sum.new_files;
    state.PauseTiming();
    s.reset();
    state.ResumeTiming();
  }
  state.counters["files/s"] = benchmark::Counter(static_cast<double>(files), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_IngestNamesOnly)->Arg(100000)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_RescanUnchanged(benchmark::State& state) {
  const auto& root = names_tree(static_cast<int>(state.range(0)));
  auto s = fresh_db("rescan.duckdb");
  ingest::IngestOptions o;
  o.read_headers = false;
  ingest::ingest_directory(*storage::duckdb::borrow(*s), root.string(), o);
  std::int64_t files = 0;
  for (auto _ : state) {
    auto sum = ingest::ingest_directory(*storage::duckdb::borrow(*s), root.string(), o);
    if (sum.unchanged != state.range(0)) state.SkipWithError("re-scan saw changes");
    files += sum.unchanged;
  }
  state.counters["files/s"] = benchmark::Counter(static_cast<double>(files), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RescanUnchanged)->Arg(100000)->Iterations(5)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_IngestHeaders(benchmark::State& state) {
  const auto& root = header_tree();
  std::int64_t files = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto s = fresh_db("headers.duckdb");
    state.ResumeTiming();
    ingest::IngestOptions o;
    o.jobs = static_cast<int>(state.range(0));
    auto sum = ingest::ingest_directory(*storage::duckdb::borrow(*s), root.string(), o);
    files += sum.new_files;
    state.PauseTiming();
    s.reset();
    state.ResumeTiming();
  }
  state.counters["files/s"] = benchmark::Counter(static_cast<double>(files), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_IngestHeaders)->ArgName("jobs")->Arg(1)->Arg(2)->Iterations(5)->Unit(benchmark::kMillisecond)->UseRealTime();

// The floor: nc_open + nc_close of the same files, one thread, under the same lock.
void BM_NcOpenFloor(benchmark::State& state) {
  std::vector<std::string> list;
  header_tree(&list);
  std::int64_t files = 0;
  for (auto _ : state) {
    for (const auto& f : list) {
      std::lock_guard lk(files::netcdf_mutex());
      int id = -1;
      if (nc_open(f.c_str(), NC_NOWRITE, &id) == NC_NOERR) nc_close(id);
    }
    files += static_cast<std::int64_t>(list.size());
  }
  state.counters["files/s"] = benchmark::Counter(static_cast<double>(files), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_NcOpenFloor)->Iterations(5)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

TOLTECA_BENCHMARK_MAIN();
