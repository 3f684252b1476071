#pragma once
// main() of the Google Benchmark programs: a header helper first (files/header_helper.h: a program
// that reads headers through read_header_isolated may be started again as its own helper), then the
// benchmarks. Use TOLTECA_BENCHMARK_MAIN() instead of BENCHMARK_MAIN().
#include <benchmark/benchmark.h>

#include "files/env.h"
#include "files/header_helper.h"

#define TOLTECA_BENCHMARK_MAIN()                                                                             \
  int main(int argc, char** argv) {                                                                          \
    if (tolteca::files::is_header_helper(argc, argv)) tolteca::files::serve_header_helper(tolteca::files::Env::Default()); \
    ::benchmark::Initialize(&argc, argv);                                                                    \
    if (::benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;                                      \
    ::benchmark::RunSpecifiedBenchmarks();                                                                   \
    ::benchmark::Shutdown();                                                                                 \
    return 0;                                                                                                \
  }                                                                                                          \
  int main(int, char**)
