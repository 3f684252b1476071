#pragma once
// Options of the files/ part, documented field by field (leveldb include/leveldb/options.h style).
// The library never reads the environment: the program fills these (tolteca_db does it in
// cli/process_setup.cpp, from the environment variables named below) and hands them over.
#include <chrono>
#include <string>
#include <vector>

namespace tolteca::files {

// How netCDF headers are read during ingest (files/header_process.h read_header_isolated()).
struct HeaderReadOptions {
  // Read netCDF-4 (HDF5) headers in a helper process, one per worker thread, so a libhdf5 crash or
  // hang on a damaged file costs that file a clear error, never the run (docs/RELIABILITY.md).
  // false: every header is read in this process, as before the helper existed.
  // Default: true. tolteca_db: TOLTECA_HEADER_ISOLATION=0 sets false.
  bool isolate_netcdf4 = true;

  // The longest one netCDF-4 header read in a helper may take; then the helper is killed and the file
  // fails with "header read did not finish in N s; the reader was stopped". Must be > 0.
  // Default: 120 s. tolteca_db: TOLTECA_HEADER_TIMEOUT=SECONDS (a positive number; other values are
  // ignored).
  std::chrono::milliseconds helper_timeout{std::chrono::seconds(120)};

  // The program that serves as the helper, and its first arguments (argv[0], ...), for a program that
  // is not itself a helper when started with the marker: the Python package's interpreter, which runs
  // the module's helper entry point (src/python/header_helper.cpp). The marker and helper_args follow
  // them. (With its own initializer: -Wmissing-field-initializers then accepts designated
  // initializers that leave it out.)
  // Default: empty: this same executable (/proc/self/exe), argv[0] "tolteca-header-reader".
  std::vector<std::string> helper_command{};

  // Extra command-line arguments given to each helper process after the helper marker
  // (kHeaderHelperArg), uninterpreted by the library: the program's main() reads them back with
  // header_helper_args() when it chooses the Env the helper serves with (files/env.h). Tests pass the
  // fault they inject this way; production leaves it empty.
  // Default: empty.
  std::vector<std::string> helper_args;
};

}  // namespace tolteca::files
