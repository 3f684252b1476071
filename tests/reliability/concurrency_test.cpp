// Two processes on one DuckDB file: a writer excludes every other opener, which gets a clear
// "database … is locked by another process (pid N)" error, or waits with --wait SECONDS; readers share.
// The lock holder here is this test process itself (storage::duckdb::Session), so the tests are race-free.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include "storage/duckdb/session.h"
#include "support/test_support.h"

namespace tolteca::test {
namespace {

std::string init_db(const TempDir& dir) {
  std::string path = (dir / "reg.duckdb").string();
  auto r = run_cli({"db", "init", "--db", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return path;
}

std::string pid_text() { return "(pid " + std::to_string(::getpid()) + ")"; }

TEST(Concurrency, SecondWriterGetsLockedErrorNamingThePid) {
  TempDir dir;
  auto path = init_db(dir);
  auto holder = storage::duckdb::Session::open(path, {storage::OpenMode::ReadWrite, 0, {}});
  for (auto args : std::vector<std::vector<std::string>>{
           {"db", "vacuum", "--db", path},
           {"db", "init", "--db", path},
       }) {
    auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 1) << args[1] << ": " << r.err;
    EXPECT_NE(r.err.find("is locked by another process " + pid_text()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--wait"), std::string::npos) << r.err;
  }
}

TEST(Concurrency, ReaderGetsLockedErrorWhileAWriterHoldsTheFile) {
  TempDir dir;
  auto path = init_db(dir);
  auto holder = storage::duckdb::Session::open(path, {storage::OpenMode::ReadWrite, 0, {}});
  auto r = run_cli({"db", "info", "--db", path});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("is locked by another process " + pid_text()), std::string::npos) << r.err;
}

TEST(Concurrency, WaitSucceedsOnceTheHolderReleases) {
  TempDir dir;
  auto path = init_db(dir);
  auto holder = storage::duckdb::Session::open(path, {storage::OpenMode::ReadWrite, 0, {}});
  auto release = std::async(std::launch::async, [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    holder.reset();
  });
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_cli({"db", "vacuum", "--db", path, "--wait", "20"});
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  release.get();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(waited, 1.0);
  EXPECT_LT(waited, 20.0);
}

TEST(Concurrency, WaitGivesUpWithTheLockMessage) {
  TempDir dir;
  auto path = init_db(dir);
  auto holder = storage::duckdb::Session::open(path, {storage::OpenMode::ReadWrite, 0, {}});
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_cli({"db", "vacuum", "--db", path, "--wait", "1"});
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("is locked by another process " + pid_text()), std::string::npos) << r.err;
  EXPECT_GE(waited, 0.9);
}

TEST(Concurrency, ReadersShareTheFile) {
  TempDir dir;
  auto path = init_db(dir);
  auto reader = storage::duckdb::Session::open(path, {storage::OpenMode::ReadOnly, 0, {}});
  auto r = run_cli({"db", "info", "--db", path, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // …but a writer cannot join readers.
  auto w = run_cli({"db", "vacuum", "--db", path});
  EXPECT_EQ(w.exit_code, 1) << w.err;
  EXPECT_NE(w.err.find("is locked by another process"), std::string::npos) << w.err;
}

}  // namespace
}  // namespace tolteca::test

namespace tolteca::test {
namespace {

TEST(Concurrency, ReadOnlyFlagSharesAndIsRefusedByWriters) {
  TempDir dir;
  auto path = init_db(dir);
  auto reader = storage::duckdb::Session::open(path, {storage::OpenMode::ReadOnly, 0, {}});
  auto r = run_cli({"db", "info", "--db", path, "--read-only"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto q = run_cli({"query", "obs", "--db", path, "--read-only", "--json"});
  EXPECT_EQ(q.exit_code, 0) << q.err;
  auto w = run_cli({"db", "vacuum", "--db", path, "--read-only"});
  EXPECT_EQ(w.exit_code, 1) << w.err;
  EXPECT_NE(w.err.find("--read-only was given, but this command writes"), std::string::npos) << w.err;
}

TEST(Concurrency, QueriesWorkWithoutAWriterAndReportTheLockWithOne) {
  TempDir dir;
  auto path = init_db(dir);
  for (auto sub : {"obs", "groups", "stats"}) {
    auto r = run_cli({"query", sub, "--db", path});
    EXPECT_EQ(r.exit_code, 0) << sub << ": " << r.err;
  }
  auto holder = storage::duckdb::Session::open(path, {storage::OpenMode::ReadWrite, 0, {}});
  auto r = run_cli({"query", "obs", "--db", path});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("is locked by another process " + pid_text()), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tolteca::test
