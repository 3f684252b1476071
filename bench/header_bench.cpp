// Per-file header read vs the bare nc_open + nc_close on the same files (the physical floor; target:
// read_header within 1.5x). Files are written once into a temporary directory: simulator-sized network
// files in each format (warm page cache, as for a re-scan).
#include <benchmark/benchmark.h>
#include <netcdf.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "bench_main.h"
#include "files/header.h"
#include "sim/toltec_writer.h"

using namespace tolteca;
using namespace tolteca::files;
using namespace tolteca::sim;
namespace fs = std::filesystem;

namespace {

constexpr int kFilesPerFormat = 200;

// The corpus is kept between runs (same content every time) so profilers see only the reads.
struct Corpus {
  fs::path dir;
  std::vector<std::string> files[3];  // classic, 64bit, netcdf4
  Corpus() {
    dir = fs::temp_directory_path() / "tolteca_header_bench_v1";
    const bool ready = fs::exists(dir / "complete");
    fs::create_directories(dir);
    const NcFormat fmts[3] = {NcFormat::classic, NcFormat::offset64, NcFormat::netcdf4};
    for (int f = 0; f < 3; ++f) {
      for (int i = 0; i < kFilesPerFormat; ++i) {
        NetworkFileSpec s;
        s.format = fmts[f];
        s.style = HeaderStyle{i % 3 == 0, i % 2 ? '\0' : ' '};
        s.obs_type = i % 5;
        s.roach = i % 13;
        s.obsnum = 18000 + i;
        s.cal_obsnum = 17999 + i;
        s.obs_start = 1731518686 + i;
        s.obs_end = s.obs_start + 30;
        s.n_channels = 4;
        s.n_samples = 40;
        s.num_sweep_steps = 12;
        std::string p = (dir / (std::to_string(f) + "_" + std::to_string(i) + ".nc")).string();
        if (!ready) write_network_file(p, s);
        files[f].push_back(p);
      }
    }
    if (!ready) std::ofstream(dir / "complete") << "ok\n";
  }
};

Corpus& corpus() {
  static Corpus c;
  return c;
}

const char* kFormatNames[3] = {"classic", "64bit_offset", "netcdf4"};

void BM_NcOpenClose(benchmark::State& state) {
  const auto& files = corpus().files[state.range(0)];
  std::size_t i = 0;
  for (auto _ : state) {
    std::lock_guard lock(netcdf_mutex());  // the same lock read_header takes
    int id = -1;
    if (nc_open(files[i].c_str(), NC_NOWRITE, &id) != NC_NOERR) state.SkipWithError("nc_open failed");
    nc_close(id);
    if (++i == files.size()) i = 0;
  }
  state.SetLabel(kFormatNames[state.range(0)]);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_NcOpenClose)->DenseRange(0, 2)->ArgName("format")->Unit(benchmark::kMicrosecond);

void BM_ReadHeader(benchmark::State& state) {
  const auto& files = corpus().files[state.range(0)];
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = read_header(files[i]);
    if (r.index() != 0) state.SkipWithError("read_header failed");
    benchmark::DoNotOptimize(r);
    if (++i == files.size()) i = 0;
  }
  state.SetLabel(kFormatNames[state.range(0)]);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ReadHeader)->DenseRange(0, 2)->ArgName("format")->Unit(benchmark::kMicrosecond);

}  // namespace

TOLTECA_BENCHMARK_MAIN();
