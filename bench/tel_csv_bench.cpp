// Telescope catalogue CSV parser throughput (issue 20 wants >= 200 000 rows/s end to end).
// The corpus: 200 000 rows of the LMT catalogue's 29 columns, a third with a quoted SourceName, and
// the same corpus with one stray quote every 1 000 rows (issue 12: the parser resynchronises).
#include <benchmark/benchmark.h>

#include <sstream>
#include <string>

#include "bench_main.h"
#include "ingest/tel_csv.h"

namespace {

std::string corpus(bool damaged) {
  std::string s =
      "ObsNum,Date/Time [UT],SourceName,ObsGoal,ProjectId,ObsPgm,IntegrationTime,MainTime,RefTime,Az [deg],El [deg],"
      "\"UserAzOffset [\"\"]\",\"UserElOffset [\"\"]\",\"PaddleAzOffset [\"\"]\",\"PaddleElOffset [\"\"]\","
      "M1Zernike0 [micron],M1Zernike1 [micron],M1Zernike2 [micron],M1Zernike3 [micron],M1Zernike4 [micron],"
      "M1Zernike5 [micron],M1Zernike6 [micron],M2XOffset [mm],M2YOffset [mm],M2ZOffset [mm],Tau,CraneInBeam,FileName,"
      "Valid\n";
  for (int i = 0; i < 200000; ++i) {
    const char* src = damaged && i % 1000 == 7 ? "\"3C 273" : (i % 3 == 0 ? "\"3C 273\"" : "Uranus");
    s += std::to_string(100000 + i) + ".0." + std::to_string(i % 4) + ",2024-11-13 23:17:06," + src +
         ",Science,2024-S1-MX-1,Map,31.250,10,0,181.2345,45.6789,0,0,0,0,0,0,0,0,0,0,0,0.1,-0.2,0.3,0." +
         std::to_string(i % 9) + ",0,/data_lmt/tel/tel_toltec_2024-11-13_" + std::to_string(100000 + i) +
         "_00_0000.nc,1\n";
  }
  return s;
}

void BM_ParseTelCsv(benchmark::State& state) {
  static const std::string clean = corpus(false), damaged = corpus(true);
  const std::string& text = state.range(0) ? damaged : clean;
  std::size_t rows = 0;
  for (auto _ : state) {
    std::istringstream in(text);
    auto p = tolteca::ingest::parse_tel_csv(in, "bench.csv");
    rows += p.rows.size() + p.malformed.size();
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(rows));
}
BENCHMARK(BM_ParseTelCsv)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

TOLTECA_BENCHMARK_MAIN();
