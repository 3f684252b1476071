// The physical floor of header ingest: walk a tree and nc_open(NC_NOWRITE) +
// nc_close every *.nc file, with the same number of worker threads as
// `tolteca_db ingest directory --jobs N` and the same process-wide netCDF lock
// (files::netcdf_mutex(): netCDF-C is not thread-safe). Nothing is read or
// written besides what nc_open itself does.
//
//   nc_floor ROOT [--jobs N]
// Prints "files=F failed=X seconds=S" (S: open+close loop, after the walk).
#include <fmt/format.h>
#include <netcdf.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "files/header.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: nc_floor ROOT [--jobs N]\n";
    return 2;
  }
  const std::string root = argv[1];
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 2; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--jobs" || std::string(argv[i]) == "-j") jobs = std::max(1, std::atoi(argv[i + 1]));

  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_regular_file() && it->path().extension() == ".nc" && it->file_size() > 0)
      files.push_back(it->path().string());
  }
  std::atomic<std::size_t> next{0};
  std::atomic<long> failed{0};
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < jobs; ++t) {
    pool.emplace_back([&] {
      for (std::size_t i; (i = next.fetch_add(1)) < files.size();) {
        std::lock_guard lock(tolteca::files::netcdf_mutex());
        int id = -1;
        if (nc_open(files[i].c_str(), NC_NOWRITE, &id) != NC_NOERR) {
          ++failed;
          continue;
        }
        nc_close(id);
      }
    });
  }
  for (auto& t : pool) t.join();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << fmt::format("files={} failed={} seconds={:.6f}\n", files.size(), failed.load(), s);
  return failed.load() == 0 ? 0 : 1;
}
