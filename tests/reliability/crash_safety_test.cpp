// Crash safety: `ingest directory` and `assoc generate` (database and filesystem state) are killed
// with SIGKILL at random points (fixed seed), re-run to completion, and the registry is compared with
// the one an uninterrupted run builds (canonical projection: no ids, timestamps or sequence values).
// Iterations: TOLTECA_CRASH_ITERATIONS (default 10 per scenario; fewer under sanitizers).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "reliability/reliability_support.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace tolteca::test {
namespace {

int iterations() {
  if (const char* v = std::getenv("TOLTECA_CRASH_ITERATIONS")) return std::max(1, std::atoi(v));
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return 3;
#else
  return 10;
#endif
}

void copy_db(const fs::path& from, const fs::path& to) {
  fs::remove(to);
  fs::remove(fs::path(to.string() + ".wal"));
  fs::copy_file(from, to);
  if (fs::exists(from.string() + ".wal")) fs::copy_file(from.string() + ".wal", to.string() + ".wal");
}

double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Fixture {
  TempDir dir;
  fs::path root = dir / "data_lmt";
  fs::path empty_db = dir / "empty.duckdb";
  fs::path ingested_db = dir / "ingested.duckdb";  // after an uninterrupted ingest
  fs::path reference_db = dir / "reference.duckdb";  // after ingest + assoc generate
  Canonical reference;
  double ingest_s = 0, assoc_s = 0;

  std::vector<std::string> ingest_args(const fs::path& db) const {
    return {"ingest", "directory", root.string(), "--db", db.string(), "--location", "LMT", "--batch-size", "40",
            "--quiet"};
  }

  Fixture() {
    auto sim = run_cli({"simulate", root.string(), "--seed", "11", "--bad-files", "--scale", "0.15", "--quiet"});
    EXPECT_EQ(sim.exit_code, 0) << sim.err;
    auto init = run_cli({"db", "init", "--db", empty_db.string(), "--location", "LMT", "--data-root", root.string()});
    EXPECT_EQ(init.exit_code, 0) << init.err;
    copy_db(empty_db, ingested_db);
    auto t0 = Clock::now();
    auto ing = run_cli(ingest_args(ingested_db));
    ingest_s = seconds(t0);
    EXPECT_EQ(ing.exit_code, 0) << ing.err;
    copy_db(ingested_db, reference_db);
    t0 = Clock::now();
    auto as = run_cli({"assoc", "generate", "--db", reference_db.string()});
    assoc_s = seconds(t0);
    EXPECT_EQ(as.exit_code, 0) << as.err;
    reference = canonical_tables(reference_db.string());
    EXPECT_GT(reference["products"].size(), 40u);
    EXPECT_GT(reference["edges"].size(), 10u);
    EXPECT_GE(reference["problems"].size(), 2u);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

struct Tally {
  int killed = 0, finished_before_kill = 0;
};

// Starts args, kills it after a uniformly random delay in [0, 1.1 * typical), returns how it ended.
bool run_and_kill(const std::vector<std::string>& args, double typical_s, std::mt19937_64& rng, const fs::path& log,
                  Tally& tally) {
  std::uniform_real_distribution<double> delay(0.0, 1.1 * typical_s);
  double d = delay(rng);
  pid_t pid = spawn_cli(args, log.string());
  std::this_thread::sleep_for(std::chrono::duration<double>(d));
  int rc = kill9(pid);
  if (rc == 137) {
    ++tally.killed;
    return true;
  }
  EXPECT_EQ(rc, 0) << read_bytes(log);
  ++tally.finished_before_kill;
  return false;
}

TEST(CrashSafety, KillNineDuringIngestThenRerunEqualsUninterrupted) {
  auto& f = fixture();
  ASSERT_FALSE(f.reference.empty());
  std::mt19937_64 rng(20241113);
  Tally tally;
  const int n = iterations();
  for (int i = 0; i < n; ++i) {
    fs::path db = f.dir / "crash_ingest.duckdb";
    copy_db(f.empty_db, db);
    fs::path log = f.dir / ("ingest_" + std::to_string(i) + ".log");
    run_and_kill(f.ingest_args(db), f.ingest_s, rng, log, tally);
    // Killed runs may be killed again: a second interruption before the final run.
    if (i % 3 == 2) run_and_kill(f.ingest_args(db), f.ingest_s, rng, log, tally);
    auto again = run_cli(f.ingest_args(db));
    ASSERT_EQ(again.exit_code, 0) << "iteration " << i << ": " << again.err << read_bytes(log);
    auto as = run_cli({"assoc", "generate", "--db", db.string()});
    ASSERT_EQ(as.exit_code, 0) << as.err;
    auto got = canonical_tables(db.string());
    ASSERT_EQ(describe_differences(f.reference, got), "") << "iteration " << i;
  }
  RecordProperty("killed", tally.killed);
  RecordProperty("finished_before_kill", tally.finished_before_kill);
  std::printf("[ crash ] ingest directory: %d iterations, %d killed mid-run, %d finished before the kill\n", n,
              tally.killed, tally.finished_before_kill);
  EXPECT_GE(tally.killed, n / 2);
}

TEST(CrashSafety, KillNineDuringAssocGenerateThenRerunEqualsUninterrupted) {
  auto& f = fixture();
  ASSERT_FALSE(f.reference.empty());
  std::mt19937_64 rng(18341);
  Tally tally;
  const int n = iterations();
  for (int i = 0; i < n; ++i) {
    fs::path db = f.dir / "crash_assoc.duckdb";
    copy_db(f.ingested_db, db);
    std::vector<std::string> args{"assoc", "generate", "--db", db.string()};
    fs::path log = f.dir / ("assoc_" + std::to_string(i) + ".log");
    run_and_kill(args, f.assoc_s, rng, log, tally);
    auto again = run_cli(args);
    ASSERT_EQ(again.exit_code, 0) << "iteration " << i << ": " << again.err;
    auto got = canonical_tables(db.string());
    ASSERT_EQ(describe_differences(f.reference, got), "") << "iteration " << i;
  }
  std::printf("[ crash ] assoc generate (database state): %d iterations, %d killed mid-run, %d finished first\n", n,
              tally.killed, tally.finished_before_kill);
  EXPECT_GE(tally.killed, n / 2);
}

TEST(CrashSafety, KillNineDuringAssocGenerateWithFilesystemState) {
  auto& f = fixture();
  ASSERT_FALSE(f.reference.empty());
  std::mt19937_64 rng(131289);
  Tally tally;
  const int n = iterations();
  for (int i = 0; i < n; ++i) {
    fs::path db = f.dir / "crash_assoc_fs.duckdb";
    fs::path state = f.dir / "state";
    fs::remove_all(state);
    fs::create_directories(state);
    copy_db(f.ingested_db, db);
    std::vector<std::string> args{"assoc", "generate", "--db", db.string(), "--state-dir", state.string()};
    fs::path log = f.dir / ("assoc_fs_" + std::to_string(i) + ".log");
    run_and_kill(args, f.assoc_s, rng, log, tally);
    // Whatever the kill left, the state directory holds no torn file: either no state or valid JSON.
    for (const auto& e : fs::directory_iterator(state)) {
      if (e.path().extension() != ".json") continue;
      EXPECT_TRUE(nlohmann::json::accept(read_bytes(e.path()))) << e.path();
    }
    auto again = run_cli(args);
    ASSERT_EQ(again.exit_code, 0) << "iteration " << i << ": " << again.err;
    auto got = canonical_tables(db.string());
    ASSERT_EQ(describe_differences(f.reference, got), "") << "iteration " << i;
    // And an incremental run afterwards changes nothing.
    auto inc = run_cli({"assoc", "generate", "--db", db.string(), "--state-dir", state.string(), "--json"});
    ASSERT_EQ(inc.exit_code, 0) << inc.err;
    EXPECT_EQ(describe_differences(f.reference, canonical_tables(db.string())), "");
  }
  std::printf("[ crash ] assoc generate (filesystem state): %d iterations, %d killed mid-run, %d finished first\n", n,
              tally.killed, tally.finished_before_kill);
  EXPECT_GE(tally.killed, n / 2);
}

}  // namespace
}  // namespace tolteca::test
