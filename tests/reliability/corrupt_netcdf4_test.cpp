// Property: however a netCDF-4 file is damaged, `ingest directory` completes (exit 0) and accounts for
// every file: recorded, or failed with a reason naming it; a re-run changes nothing. netCDF-4 headers go
// through libhdf5, which is known to crash on some damaged files (docs/RELIABILITY.md); the helper
// process (files/header_process.h) must turn such a crash into one failed file.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "sim/toltec_writer.h"
#include "reliability/reliability_support.h"
#include "support/test_support.h"

namespace tolteca::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Damage: 1-4 random bytes overwritten (half the time in the first 4 KiB, where HDF5 keeps its
// superblock and object headers; otherwise anywhere), or a truncation, or both.
std::string damage(std::string bytes, std::mt19937& rng) {
  auto pick = [&](std::size_t lo, std::size_t hi) { return std::uniform_int_distribution<std::size_t>(lo, hi)(rng); };
  const int how = static_cast<int>(pick(0, 9));
  if (how <= 7) {
    const std::size_t window = pick(0, 1) == 0 ? bytes.size() : std::min<std::size_t>(bytes.size(), 4096);
    for (std::size_t n = pick(1, 4); n > 0; --n) bytes[pick(0, window - 1)] = static_cast<char>(pick(0, 255));
  }
  if (how >= 7) bytes.resize(pick(8, bytes.size() - 1));
  return bytes;
}

TEST(CorruptNetcdf4, EveryDamagedFileIsAccountedForAndTheIngestCompletes) {
  TempDir dir;
  const fs::path root = dir / "data_lmt";
  const fs::path db = dir / "reg.duckdb";
  const fs::path sub = root / "toltec/ics/toltec2";
  fs::create_directories(sub);

  sim::NetworkFileSpec spec;
  spec.format = sim::NcFormat::netcdf4;
  spec.obs_type = 4;
  spec.master = Master::ics;
  spec.roach = 2;
  spec.obs_start = 1731518686.5;
  spec.obs_end = 1731518700.25;
  spec.lo_center_freq = 712.5e6;
  spec.n_channels = 4;
  spec.n_samples = 16;

  constexpr int kFiles = 200;
  std::mt19937 rng(20261126);
  std::map<std::string, bool> written;  // file name -> written
  for (int i = 0; i < kFiles; ++i) {
    spec.obsnum = 30000 + i;
    char name[128];
    std::snprintf(name, sizeof name, "toltec2_%06d_000_0000_2024_11_13_17_24_46_tune.nc", 30000 + i);
    const fs::path p = sub / name;
    sim::write_network_file(p.string(), spec);
    write_bytes(p, damage(read_bytes(p), rng));
    written[name] = true;
  }
  ASSERT_EQ(run_cli({"db", "init", "--db", db.string(), "--location", "LMT", "--data-root", root.string()}).exit_code, 0);

  auto run = run_cli({"ingest", "directory", root.string(), "--db", db.string(), "--location", "LMT", "--json",
                      "--quiet", "--jobs", "2"});
  ASSERT_EQ(run.exit_code, 0) << run.err.substr(0, 4000);
  const json s = json::parse(run.out);
  EXPECT_EQ(s["scanned"], kFiles);
  EXPECT_EQ(s["new"].get<int>() + s["failed"].get<int>() + s["skipped"].get<int>(), kFiles) << run.out.substr(0, 2000);
  int crashed = 0, failed = 0;
  for (const auto& p : s["problems"]) {
    const std::string path = p["path"], reason = p["reason"];
    EXPECT_TRUE(written.count(fs::path(path).filename().string())) << path;
    EXPECT_FALSE(reason.empty()) << path;
    if (p["status"] == "failed") ++failed;
    if (reason.find("crashed reading this file") != std::string::npos) ++crashed;
  }
  EXPECT_EQ(failed, s["failed"].get<int>());
  // For docs/RELIABILITY.md: how the damaged files came out.
  std::cout << "corrupt netCDF-4: " << kFiles << " files, " << s["new"] << " recorded (" << s["flagged"]
            << " flagged), " << s["failed"] << " failed, " << crashed << " of them by a libhdf5 crash\n";

  const auto before = canonical_tables(db.string());
  auto again = run_cli({"ingest", "directory", root.string(), "--db", db.string(), "--location", "LMT", "--json",
                        "--quiet"});
  ASSERT_EQ(again.exit_code, 0) << again.err.substr(0, 4000);
  const auto after = canonical_tables(db.string());
  for (const char* t : {"locations", "products", "sources", "edges"})
    EXPECT_EQ(before.at(t), after.at(t)) << t << "\n" << describe_differences(before, after);
}

}  // namespace
}  // namespace tolteca::test
