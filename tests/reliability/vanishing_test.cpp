// Files that change between the directory scan and the header read, made race-free with the
// IngestOptions::before_read hook (called by the worker just before it reads the file).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "storage/duckdb/duckdb.h"
#include "storage/duckdb/registry.h"
#include "storage/duckdb/session.h"
#include "ingest/ingest.h"
#include "support/test_support.h"

namespace fs = std::filesystem;

namespace tolteca::test {
namespace {

struct Tree {
  TempDir dir;
  fs::path root = dir / "data_lmt";
  std::string db = (dir / "reg.duckdb").string();
  std::vector<std::string> files;  // relative paths of the good files

  Tree() {
    auto sim = run_cli({"simulate", root.string(), "--seed", "4", "--scale", "0.05", "--json"});
    EXPECT_EQ(sim.exit_code, 0) << sim.err;
    const auto manifest = nlohmann::json::parse(sim.out);
    for (const auto& f : manifest["files"]) files.push_back(f["path"]);
    auto init = run_cli({"db", "init", "--db", db, "--location", "LMT", "--data-root", root.string()});
    EXPECT_EQ(init.exit_code, 0) << init.err;
  }
};

std::string problem_of(const ingest::IngestSummary& s, const std::string& rel) {
  for (const auto& p : s.problems)
    if (p.path == rel) return p.status + ": " + p.reason;
  return "";
}

TEST(Vanishing, FileDeletedBetweenScanAndReadIsSkippedWithAReason) {
  Tree t;
  ASSERT_GT(t.files.size(), 100u);
  const std::string gone = t.files[10], truncated = t.files[20], replaced = t.files[30];
  std::mutex m;
  ingest::IngestOptions o;
  o.location = "LMT";
  o.before_read = [&](const std::string& rel) {
    std::lock_guard lock(m);
    if (rel == gone) fs::remove(t.root / rel);
    if (rel == truncated) fs::resize_file(t.root / rel, 100);
    if (rel == replaced) std::ofstream(t.root / rel, std::ios::trunc) << "replaced by a text file";
  };
  ingest::IngestSummary sum;
  {
    auto s = storage::duckdb::Session::open(t.db, {storage::OpenMode::ReadWrite, 0, {}});
    sum = ingest::ingest_directory(*storage::duckdb::borrow(*s), t.root.string(), o);
  }
  EXPECT_EQ(problem_of(sum, gone), "skipped: vanished: the file disappeared between the directory scan and the header read");
  EXPECT_NE(problem_of(sum, truncated).find("failed: "), std::string::npos) << problem_of(sum, truncated);
  EXPECT_NE(problem_of(sum, replaced).find("failed: not a netCDF file"), std::string::npos) << problem_of(sum, replaced);
  EXPECT_EQ(sum.skipped, 1);
  EXPECT_EQ(sum.failed, 2);
  EXPECT_EQ(sum.new_files, static_cast<std::int64_t>(t.files.size()) - 3);  // failed ones are recorded, not "new"

  storage::duckdb::Database database(t.db, true);
  storage::duckdb::Connection con(database);
  auto st = con.prepare("SELECT count(*) FROM sources WHERE rel_path = $1");
  st.bind(1, gone);
  EXPECT_EQ(std::get<std::int64_t>(st.execute().rows()[0][0]), 0) << "a vanished file was recorded";
  auto ev = con.prepare("SELECT message FROM events WHERE kind = 'skipped' AND subject = $1");
  ev.bind(1, gone);
  auto rows = ev.execute().rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NE(std::get<std::string>(rows[0][0]).find("vanished"), std::string::npos);
  EXPECT_EQ(con.scalar_int("SELECT count(*) FROM sources"), static_cast<std::int64_t>(t.files.size()) - 1);
}

TEST(Vanishing, KnownFileThatVanishesIsLeftForPrune) {
  Tree t;
  {
    auto s = storage::duckdb::Session::open(t.db, {storage::OpenMode::ReadWrite, 0, {}});
    ingest::IngestOptions o;
    o.location = "LMT";
    auto first = ingest::ingest_directory(*storage::duckdb::borrow(*s), t.root.string(), o);
    ASSERT_EQ(first.failed, 0);
  }
  // Touch one file so the next run re-reads it, then make it vanish just before the read.
  const std::string rel = t.files[5];
  fs::last_write_time(t.root / rel, fs::last_write_time(t.root / rel) + std::chrono::seconds(5));
  ingest::IngestOptions o;
  o.location = "LMT";
  o.before_read = [&](const std::string& r) {
    if (r == rel) fs::remove(t.root / r);
  };
  auto s = storage::duckdb::Session::open(t.db, {storage::OpenMode::ReadWrite, 0, {}});
  auto second = ingest::ingest_directory(*storage::duckdb::borrow(*s), t.root.string(), o);
  EXPECT_EQ(problem_of(second, rel).rfind("skipped: vanished", 0), 0u) << problem_of(second, rel);
  EXPECT_EQ(second.updated, 0);
  // The earlier record is untouched (still available) until a --prune run sees the file gone.
  auto st = s->con().prepare("SELECT availability FROM sources WHERE rel_path = $1");
  st.bind(1, rel);
  EXPECT_EQ(std::get<std::string>(st.execute().rows()[0][0]), "available");
  o.before_read = {};
  o.prune = true;
  auto third = ingest::ingest_directory(*storage::duckdb::borrow(*s), t.root.string(), o);
  EXPECT_EQ(third.missing, 1);
  st.bind(1, rel);
  EXPECT_EQ(std::get<std::string>(st.execute().rows()[0][0]), "missing");
}

}  // namespace
}  // namespace tolteca::test
