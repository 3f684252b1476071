// Association micro-benchmarks.
//   BM_CalGroups / BM_Drivefit / BM_FocusRuns / BM_CalEdges: the pure rule
//     functions (assoc/rules.h) on facts of sim::synthetic_night(N), in memory.
//   BM_EngineFull / BM_EngineIncremental: assoc::generate on a synthetic
//     registry of N raw observations in a temporary DuckDB file (full; and
//     incremental with 0.1 % new observations written, untimed, before each
//     timed call).
// Run: build/bench/assoc_bench --benchmark_min_time=1
// The scale figures (1 000 000 observations, CLI, late arrivals) come from bench/run.sh.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "bench_main.h"
#include "assoc/engine.h"
#include "bench_assoc_store.h"
#include "assoc/rules.h"
#include "sim/synthetic.h"
#include "storage/duckdb/registry.h"
#include "storage/duckdb/session.h"

using namespace tolteca;

namespace {

struct Facts {
  std::vector<ObsFact> facts;  // sequence order
  std::vector<CalPointer> pointers;
};

const Facts& facts_for(std::int64_t n) {
  static std::map<std::int64_t, Facts> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  sim::NightOptions no;
  no.seed = static_cast<std::uint64_t>(n);
  no.n_obs = n;
  auto night = sim::synthetic_night(no);
  Facts f;
  std::map<Quartet, std::int64_t> id_of;
  for (std::size_t i = 0; i < night.size(); ++i) {
    const auto& o = night[i];
    ObsFact x;
    x.id = static_cast<std::int64_t>(i) + 1;
    x.time = o.start_time;
    x.master = static_cast<std::uint8_t>(o.q.master);
    x.obsnum = o.q.obsnum;
    x.subobsnum = o.q.subobsnum;
    x.scannum = o.q.scannum;
    x.kind = o.kind;
    x.goal = o.obs_goal == "focus" ? GoalClass::focus
             : o.obs_goal == "astig" || o.obs_goal == "astigmatism" ? GoalClass::astig
                                                                     : GoalClass::none;
    x.ingest_seq = x.id;
    f.facts.push_back(x);
    for (const auto& p : o.pointers) {
      std::uint32_t mask = 0;
      for (int r : p.networks) mask |= 1u << r;
      f.pointers.push_back({x.id, p.obsnum, p.subobsnum, p.scannum, mask});
    }
  }
  std::sort(f.facts.begin(), f.facts.end(), seq_less);
  return cache.emplace(n, std::move(f)).first->second;
}

void rule_bench(benchmark::State& state, AssocType t) {
  const auto& f = facts_for(state.range(0));
  std::size_t groups = 0;
  for (auto _ : state) {
    auto g = assoc::compute_groups(t, f.facts);
    groups = g.size();
    benchmark::DoNotOptimize(g);
  }
  state.counters["groups"] = static_cast<double>(groups);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_CalGroups(benchmark::State& s) { rule_bench(s, AssocType::cal_group); }
void BM_Drivefit(benchmark::State& s) { rule_bench(s, AssocType::drivefit); }
void BM_FocusRuns(benchmark::State& s) { rule_bench(s, AssocType::focus_group); }

void BM_CalEdges(benchmark::State& state) {
  const auto& f = facts_for(state.range(0));
  std::size_t edges = 0;
  for (auto _ : state) {
    auto e = assoc::cal_edges(f.pointers, f.facts);
    edges = e.size();
    benchmark::DoNotOptimize(e);
  }
  state.counters["edges"] = static_cast<double>(edges);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_CalGroups)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Drivefit)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FocusRuns)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CalEdges)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// A registry of n observations in a temporary file, plus `held` newest
// observations kept back for incremental runs.
struct Registry {
  std::string path;
  std::unique_ptr<storage::duckdb::Session> s;
  std::vector<sim::SyntheticObs> held;
  Registry(std::int64_t n, std::int64_t n_held) {
    path = fmt::format("/tmp/tolteca_assoc_bench_{}_{}.duckdb", getpid(), n);
    std::filesystem::remove(path);
    s = storage::duckdb::Session::open("duckdb:///" + path, storage::OpenOptions{storage::OpenMode::Create, 0, {}});
    sim::NightOptions no;
    no.seed = static_cast<std::uint64_t>(n);
    no.n_obs = n + n_held;
    auto all = sim::synthetic_night(no);
    held.assign(all.end() - n_held, all.end());
    all.resize(static_cast<std::size_t>(n));
    sim::write_synthetic(*storage::duckdb::borrow(*s), all);
    assoc::GenerateOptions g;
    g.mode = assoc::Mode::full;
    assoc::generate(*bench::assoc_store(*s), g);
  }
  ~Registry() {
    s.reset();
    std::filesystem::remove(path);
    std::filesystem::remove(path + ".wal");
  }
};

void BM_EngineFull(benchmark::State& state) {
  Registry r(state.range(0), 0);
  assoc::GenerateOptions g;
  g.mode = assoc::Mode::full;
  for (auto _ : state) benchmark::DoNotOptimize(assoc::generate(*bench::assoc_store(*r.s), g));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

constexpr int kIncrementalIterations = 10;

void BM_EngineIncremental(benchmark::State& state) {
  const std::int64_t n = state.range(0), k = std::max<std::int64_t>(1, n / 1000);
  Registry r(n, k * kIncrementalIterations);
  assoc::GenerateOptions g;  // incremental
  std::int64_t i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    sim::write_synthetic(*storage::duckdb::borrow(*r.s), std::vector<sim::SyntheticObs>(r.held.begin() + i * k, r.held.begin() + (i + 1) * k));
    ++i;
    state.ResumeTiming();
    auto rep = assoc::generate(*bench::assoc_store(*r.s), g);
    if (rep.mode != "incremental") state.SkipWithError("not an incremental run");
    benchmark::DoNotOptimize(rep);
  }
  state.counters["new"] = static_cast<double>(k);
}

BENCHMARK(BM_EngineFull)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_EngineIncremental)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(kIncrementalIterations);

}  // namespace

TOLTECA_BENCHMARK_MAIN();
