// The stored file summary of each observation (storage/duckdb/file_summary.h) stays equal to what the
// sources give, through every command that changes files: ingest at two locations (the same files at
// both count once), a re-scan that marks vanished files missing, a location move that rewrites paths,
// prune-missing, location remove, and a backup export/import; and a version-1 database is migrated.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "storage/duckdb/file_summary.h"
#include "storage/duckdb/schema.h"
#include "storage/duckdb/session.h"
#include "support/test_support.h"

namespace tolteca::test {
namespace {

namespace fs = std::filesystem;
using storage::duckdb::file_summary_rows;

void run_ok(const std::vector<std::string>& args) {
  const auto r = run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << args[0] << ' ' << args[1] << ": " << r.err;
}

// The stored rows equal the rows recomputed from sources; returns how many there are.
std::size_t expect_exact(const std::string& db, const char* step) {
  auto s = storage::duckdb::Session::open(db, storage::OpenOptions{storage::OpenMode::ReadOnly, 0, {}});
  const auto stored = file_summary_rows(s->con(), true);
  const auto fresh = file_summary_rows(s->con(), false);
  EXPECT_EQ(stored.size(), fresh.size()) << step;
  for (std::size_t i = 0; i < std::min(stored.size(), fresh.size()); ++i)
    if (!(stored[i] == fresh[i])) {
      ADD_FAILURE() << step << ": product " << fresh[i].product_id << " stored " << stored[i].n_files << '/'
                    << stored[i].n_missing << " [" << stored[i].networks << "] [" << stored[i].interfaces
                    << "], sources give " << fresh[i].n_files << '/' << fresh[i].n_missing << " ["
                    << fresh[i].networks << "] [" << fresh[i].interfaces << "]";
      break;
    }
  return stored.size();
}

std::int64_t total_files_in_obs_json(const std::string& db) {
  const auto r = run_cli({"query", "obs", "--db", db, "--limit", "0", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::int64_t n = 0;
  for (const auto& o : nlohmann::json::parse(r.out)) n += o["n_files"].get<std::int64_t>();
  return n;
}

TEST(FileSummary, StaysExactThroughEveryCommandThatChangesFiles) {
  TempDir dir;
  const std::string data = (dir / "arch/data_lmt").string(), db = (dir / "r.duckdb").string();
  run_ok({"simulate", data, "--seed", "5", "--scale", "0.1", "-q"});
  run_ok({"ingest", "directory", data, "--db", db, "-l", "LMT", "-q"});
  const std::size_t n_obs = expect_exact(db, "first ingest");
  ASSERT_GT(n_obs, 0u);
  const std::int64_t files_once = total_files_in_obs_json(db);
  // The same tree at a second location: every file counts once.
  fs::create_directories(dir / "mirror");
  fs::copy(data, dir / "mirror/data_lmt", fs::copy_options::recursive);
  run_ok({"ingest", "directory", (dir / "mirror/data_lmt").string(), "--db", db, "-l", "MIRROR", "-q"});
  EXPECT_EQ(expect_exact(db, "mirror"), n_obs);
  EXPECT_EQ(total_files_in_obs_json(db), files_once);
  // Files vanish from the first location: marked missing there (still counted, now as missing).
  std::size_t removed = 0;
  for (const auto& e : fs::recursive_directory_iterator(data))
    if (e.is_regular_file() && e.path().parent_path().filename() == "toltec3") {
      fs::remove(e.path());
      ++removed;
    }
  ASSERT_GT(removed, 0u);
  run_ok({"ingest", "directory", data, "--db", db, "-l", "LMT", "--prune", "-q"});
  expect_exact(db, "marked missing");
  run_ok({"db", "location", "move", "LMT", (dir / "arch").string(), "--db", db});
  expect_exact(db, "move (paths rewritten)");
  EXPECT_EQ(total_files_in_obs_json(db), 2 * files_once)
      << "after the move the paths at LMT differ from MIRROR's by their prefix: no file is shared";
  run_ok({"db", "location", "prune-missing", "LMT", "--db", db});
  expect_exact(db, "prune-missing");
  EXPECT_EQ(total_files_in_obs_json(db), 2 * files_once - static_cast<std::int64_t>(removed));
  run_ok({"db", "location", "remove", "MIRROR", "--force", "--db", db});
  expect_exact(db, "remove");
  EXPECT_EQ(total_files_in_obs_json(db), files_once - static_cast<std::int64_t>(removed));
  // Backup: the summary is derived, rebuilt by the import.
  run_ok({"db", "export", (dir / "exp").string(), "--db", db, "-q"});
  const std::string copy = (dir / "copy.duckdb").string();
  run_ok({"db", "import", (dir / "exp").string(), "--db", copy, "-q"});
  expect_exact(copy, "import");
  EXPECT_EQ(run_cli({"query", "obs", "--db", copy, "--limit", "0", "--json"}).out,
            run_cli({"query", "obs", "--db", db, "--limit", "0", "--json"}).out);
}

TEST(FileSummary, AVersionOneDatabaseIsMigratedByDbInit) {
  TempDir dir;
  const std::string data = (dir / "data").string(), db = (dir / "r.duckdb").string();
  run_ok({"simulate", data, "--seed", "6", "--scale", "0.05", "-q"});
  run_ok({"ingest", "directory", data, "--db", db, "-q"});
  const auto before = run_cli({"query", "obs", "--db", db, "--limit", "0", "--json"});
  {  // make it the version-1 database an older tolteca_db wrote
    auto s = storage::duckdb::Session::open(db, storage::OpenOptions{storage::OpenMode::ReadWrite, 0, {}});
    s->con().execute("DROP TABLE obs_file_summary; UPDATE schema_meta SET value = '1' WHERE key = 'schema_version'");
  }
  const auto refused = run_cli({"query", "obs", "--db", db});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("schema version 1"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("db init"), std::string::npos) << refused.err;
  run_ok({"db", "init", "--db", db, "-q"});
  expect_exact(db, "migrated");
  EXPECT_EQ(run_cli({"query", "obs", "--db", db, "--limit", "0", "--json"}).out, before.out);
}

}  // namespace
}  // namespace tolteca::test
