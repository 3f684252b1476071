// Association engine performance on synthetic registries of 10 000, 100 000
// and 1 000 000 raw observations (sim::synthetic_night: realistic nights of
// VNA/targ/tune chains, drive fits, VNA series, tcs tunes + timestreams,
// focus/astig runs; 2 network files per observation carrying the cal pointers
// plus the telescope file of tcs observations).
//
// Each registry is generated once into $TOLTECA_BENCH_DIR (default
// /tmp/tolteca_assoc_bench), associated with a full run, and copied to a
// work file per benchmark.
//   BM_Incremental/N      1 000 new observations (0.1 % of 1M; the next night) then
//                         assoc::generate(incremental), engine time
//   BM_IncrementalLate/N  1 000 observations arriving late: a past night's 1 000
//                         observations get a new kind bit/start time (updates)
//   BM_FullSteady/N       assoc::generate(full) with the groups already stored
//   BM_FullFromScratch/N  assoc::generate(full) after removing all groups/edges
//   BM_CliIncremental/N   the whole `tolteca_db assoc generate --incremental` process
// Counters: pending, considered (observations loaded), peak RSS (MB, process).
// Run: build/bench/assoc_engine_bench --benchmark_min_time=1   (TOLTECA_BENCH_MAX=100000 to skip 1M)
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "bench_main.h"
#include "assoc/engine.h"
#include "bench_assoc_store.h"
#include "sim/synthetic.h"
#include "storage/duckdb/registry.h"
#include "storage/duckdb/session.h"

extern char** environ;

using namespace tolteca;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kBatch = 1000;

std::string bench_dir() {
  const char* e = std::getenv("TOLTECA_BENCH_DIR");
  return e && *e ? e : "/tmp/tolteca_assoc_bench";
}

double process_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

sim::NightOptions base_options(std::int64_t n) {
  sim::NightOptions o;
  o.seed = 42;
  o.n_obs = n;
  o.networks = 2;
  o.tcs_obsnum = 500000;  // keep tcs obsnums clear of ics ones over a 1M-observation history
  return o;
}

// Where the synthetic timeline of a registry of n ends (for continuing it).
struct Tail {
  std::int64_t time = 0, ics = 0, tcs = 0;
};

Tail tail_of(const std::vector<sim::SyntheticObs>& v) {
  Tail t;
  for (const auto& o : v) {
    t.time = std::max(t.time, o.start_time);
    if (o.q.master == Master::ics) t.ics = std::max(t.ics, o.q.obsnum);
    if (o.q.master == Master::tcs) t.tcs = std::max(t.tcs, o.q.obsnum);
  }
  return t;
}

std::unique_ptr<storage::duckdb::Session> open(const std::string& path, storage::OpenMode mode = storage::OpenMode::ReadWrite) {
  return storage::duckdb::Session::open("duckdb:///" + path, storage::OpenOptions{mode, 0, {}});
}

// The base registry of n observations, associated (built once, cached on disk).
std::string base_registry(std::int64_t n) {
  fs::create_directories(bench_dir());
  const std::string path = fmt::format("{}/base_{}.duckdb", bench_dir(), n);
  if (fs::exists(path)) return path;
  const std::string tmp = path + ".building";
  fs::remove(tmp);
  auto t0 = std::chrono::steady_clock::now();
  {
    auto s = open(tmp, storage::OpenMode::Create);
    auto night = sim::synthetic_night(base_options(n));
    for (std::size_t i = 0; i < night.size(); i += 100'000) {
      std::vector<sim::SyntheticObs> part(night.begin() + static_cast<std::ptrdiff_t>(i),
                                         night.begin() + static_cast<std::ptrdiff_t>(std::min(night.size(), i + 100'000)));
      sim::write_synthetic(*storage::duckdb::borrow(*s), part);
    }
    assoc::GenerateOptions g;
    g.mode = assoc::Mode::full;
    auto r = assoc::generate(*bench::assoc_store(*s), g);
    std::cerr << fmt::format("[assoc_bench] built {} ({} raw obs, {} groups, {} edges) in {:.1f} s\n", path, n,
                             r.groups_created, r.edges_added,
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  fs::rename(tmp, path);
  return path;
}

std::string work_copy(std::int64_t n, const char* tag) {
  const std::string base = base_registry(n);
  const std::string path = fmt::format("{}/work_{}_{}.duckdb", bench_dir(), tag, n);
  fs::remove(path);
  fs::remove(path + ".wal");
  fs::copy_file(base, path);
  return path;
}

// The next kBatch observations after the registry's end (a new night).
class Continuation {
 public:
  explicit Continuation(std::int64_t n) : tail_(tail_of(sim::synthetic_night(base_options(n)))) {}
  std::vector<sim::SyntheticObs> next() {
    sim::NightOptions o = base_options(kBatch);
    o.seed = 1000 + round_;
    o.start_time = tail_.time + 3600LL * 1'000'000;
    o.ics_obsnum = tail_.ics + 10;
    o.tcs_obsnum = tail_.tcs + 10;
    auto v = sim::synthetic_night(o);
    tail_ = tail_of(v);
    ++round_;
    return v;
  }

 private:
  Tail tail_;
  std::uint64_t round_ = 0;
};

// CPU of the whole process (all DuckDB threads) spent in generate, per run.
thread_local double g_cpu_ms = 0;

assoc::GenerateReport timed_generate(storage::duckdb::Session& s, const assoc::GenerateOptions& o) {
  const double c0 = process_cpu_ms();
  auto r = assoc::generate(*bench::assoc_store(s), o);
  g_cpu_ms += process_cpu_ms() - c0;
  return r;
}

void report(benchmark::State& state, const assoc::GenerateReport& r, double engine_s_sum, std::int64_t runs) {
  state.counters["engine_cpu_ms"] = runs ? g_cpu_ms / static_cast<double>(runs) : 0;
  g_cpu_ms = 0;
  state.counters["pending"] = static_cast<double>(r.pending);
  state.counters["considered"] = static_cast<double>(r.considered);
  state.counters["engine_ms"] = runs ? 1000.0 * engine_s_sum / static_cast<double>(runs) : 0;
  state.counters["peak_rss_MB"] = peak_rss_mb();
}

// The loop of the incremental benchmarks: prepare() (untimed) writes the next
// batch, then one timed incremental generation; reported like the others.
template <class Prepare>
void incremental_loop(benchmark::State& state, storage::duckdb::Session& s, Prepare prepare) {
  assoc::GenerateReport r;
  double sum = 0;
  std::int64_t runs = 0;
  for (auto _ : state) {
    state.PauseTiming();
    prepare();
    state.ResumeTiming();
    r = timed_generate(s, assoc::GenerateOptions{});
    sum += r.elapsed_s;
    ++runs;
    if (r.mode != "incremental") state.SkipWithError(("not incremental: " + r.full_reason).c_str());
  }
  report(state, r, sum, runs);
}

std::int64_t max_n() {
  const char* e = std::getenv("TOLTECA_BENCH_MAX");
  return e ? std::atoll(e) : 1'000'000;
}

void BM_Incremental(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  if (n > max_n()) return state.SkipWithError("skipped (TOLTECA_BENCH_MAX)");
  auto path = work_copy(n, "inc");
  auto s = open(path);
  Continuation more(n);
  incremental_loop(state, *s, [&] { sim::write_synthetic(*storage::duckdb::borrow(*s), more.next()); });
}

void BM_IncrementalLate(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  if (n > max_n()) return state.SkipWithError("skipped (TOLTECA_BENCH_MAX)");
  auto path = work_copy(n, "late");
  auto s = open(path);
  // A past stretch of the history: observations in the middle, updated late
  // (start time 30 s earlier: a file with an earlier timestamp arrived; a goal
  // set; sometimes the VnaSweep bit, which splits a cal group).
  auto night = sim::synthetic_night(base_options(n));
  std::size_t offset = night.size() / 2;
  incremental_loop(state, *s, [&] {
    std::vector<sim::SyntheticObs> upd(night.begin() + static_cast<std::ptrdiff_t>(offset),
                                      night.begin() + static_cast<std::ptrdiff_t>(std::min(night.size(), offset + kBatch)));
    for (std::size_t i = 0; i < upd.size(); ++i) {
      auto& o = upd[i];
      o.start_time -= 30'000'000;
      if (i % 97 == 0 && (o.kind & 6)) o.kind |= 1;
      o.networks.clear();  // no new files rows: the facts change only
      o.pointers.clear();
    }
    offset = (offset + 7 * kBatch) % (night.size() - kBatch);
    sim::write_synthetic(*storage::duckdb::borrow(*s), upd, sim::SyntheticWriteOptions{false});
  });
}

void BM_FullSteady(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  if (n > max_n()) return state.SkipWithError("skipped (TOLTECA_BENCH_MAX)");
  auto path = work_copy(n, "steady");
  auto s = open(path);
  assoc::GenerateReport r;
  double sum = 0;
  std::int64_t runs = 0;
  for (auto _ : state) {
    assoc::GenerateOptions g;
    g.mode = assoc::Mode::full;
    r = timed_generate(*s, g);
    sum += r.elapsed_s;
    ++runs;
  }
  report(state, r, sum, runs);
}

void BM_FullFromScratch(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  if (n > max_n()) return state.SkipWithError("skipped (TOLTECA_BENCH_MAX)");
  auto path = work_copy(n, "scratch");
  auto s = open(path);
  assoc::GenerateReport r;
  double sum = 0;
  std::int64_t runs = 0;
  for (auto _ : state) {
    state.PauseTiming();
    sim::delete_associations(*storage::duckdb::borrow(*s));
    state.ResumeTiming();
    assoc::GenerateOptions g;
    g.mode = assoc::Mode::full;
    r = timed_generate(*s, g);
    sum += r.elapsed_s;
    ++runs;
  }
  report(state, r, sum, runs);
  state.counters["groups"] = static_cast<double>(r.groups_created);
  state.counters["edges"] = static_cast<double>(r.edges_added);
}

std::string cli_binary() {
  const char* e = std::getenv("TOLTECA_DB_BINARY");
  if (e && *e) return e;
  return (fs::canonical("/proc/self/exe").parent_path().parent_path() / "tolteca_db").string();
}

int spawn_wait(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::vector<std::string> a = args;
  for (auto& x : a) argv.push_back(x.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) return -1;
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void BM_CliIncremental(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  if (n > max_n()) return state.SkipWithError("skipped (TOLTECA_BENCH_MAX)");
  auto path = work_copy(n, "cli");
  Continuation more(n);
  const std::string bin = cli_binary();
  for (auto _ : state) {
    state.PauseTiming();
    {
      auto s = open(path);
      sim::write_synthetic(*storage::duckdb::borrow(*s), more.next());
    }
    state.ResumeTiming();
    if (spawn_wait({bin, "assoc", "generate", "--incremental", "--db", "duckdb:///" + path}) != 0)
      state.SkipWithError("tolteca_db assoc generate failed");
  }
}

}  // namespace

BENCHMARK(BM_Incremental)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(BM_IncrementalLate)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_CliIncremental)->Arg(10'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_FullSteady)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_FullFromScratch)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(2);

TOLTECA_BENCHMARK_MAIN();
