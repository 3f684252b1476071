// File-name parser throughput (target: >= 5 M names/s on one core).
// The corpus is the relative paths of a simulated night (network, hwpr, tel files) plus a share of
// rejections, and bare names, as an ingest walk sees them.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench_main.h"
#include "files/filename.h"
#include "sim/simulator.h"

using namespace tolteca::files;
using namespace tolteca::sim;

namespace {

const std::vector<std::string>& corpus(bool with_dirs) {
  static std::vector<std::string> paths, names;
  if (paths.empty()) {
    SimOptions o;
    o.bad_files = true;
    o.nights = 2;
    auto plan = make_plan(o);
    for (const auto& f : plan.files) {
      paths.push_back("/data_lmt/" + f.path);
      names.push_back(f.path.substr(f.path.rfind('/') + 1));
    }
    // Some rejections and older conventions, as real archives hold.
    for (const char* s : {"toltec0.nc", "tel.nc", "README.txt", "toltec3_010860_00_0000_2020_03_23_18_51_39_tune.txt",
                          "toltec8_018341_000_0000_2024_11_13_17_24_46_vnasweep_processed.nc",
                          "toltec_hk_2021-06-01_012345_00_0001.nc", "toltec0_018341_000_0000_2024_13_13_17_24_46.nc"}) {
      paths.push_back(std::string("/data_lmt/toltec/ics/toltec0/") + s);
      names.push_back(s);
    }
  }
  return with_dirs ? paths : names;
}

void BM_ParseFilename(benchmark::State& state) {
  const auto& c = corpus(state.range(0) != 0);
  std::size_t i = 0, ok = 0;
  for (auto _ : state) {
    auto r = parse_filename(c[i]);
    ok += r.index() == 0;
    benchmark::DoNotOptimize(r);
    if (++i == c.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["accepted_share"] = double(ok) / double(state.iterations());
}
BENCHMARK(BM_ParseFilename)->Arg(0)->Arg(1)->ArgName("with_dirs");

void BM_FormatRelativePath(benchmark::State& state) {
  std::vector<ParsedName> parsed;
  for (const auto& p : corpus(true)) {
    auto r = parse_filename(p);
    if (auto* n = as_parsed(r)) parsed.push_back(*n);
  }
  std::size_t i = 0;
  for (auto _ : state) {
    auto s = format_relative_path(parsed[i]);
    benchmark::DoNotOptimize(s);
    if (++i == parsed.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_FormatRelativePath);

}  // namespace

TOLTECA_BENCHMARK_MAIN();
