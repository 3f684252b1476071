// Bad command-line input: unknown options and commands, bad URLs, missing databases (never created by
// a reader), a database of a newer schema version. Every case: exit 1, one clear line on stderr, and
// the file system is left as it was.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "storage/duckdb/session.h"
#include "support/test_support.h"

namespace fs = std::filesystem;

namespace tolteca::test {
namespace {

struct Case {
  std::vector<std::string> args;
  std::string expect;  // substring of stderr
};

void expect_user_error(const Case& c) {
  auto r = run_cli(c.args);
  std::string cmd;
  for (auto& a : c.args) cmd += a + " ";
  EXPECT_EQ(r.exit_code, 1) << cmd << "\nstderr: " << r.err;
  EXPECT_NE(r.err.find(c.expect), std::string::npos) << cmd << "\nstderr: " << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << cmd << "\nstderr: " << r.err;
}

TEST(BadCli, UnknownCommandsAndOptions) {
  TempDir dir;
  auto path = (dir / "x.duckdb").string();
  for (const Case& c : std::vector<Case>{
           {{"no-such-group"}, "unknown command 'no-such-group' for 'tolteca_db'; expected one of: db,"},
           {{"db", "frobnicate"}, "unknown command 'frobnicate' for 'tolteca_db db'; expected one of: init, info"},
           {{"db"}, "'tolteca_db db' needs a command: init, info"},
           {{"db", "info", "--db", path, "--frobnicate"}, "--frobnicate"},
           {{"db", "info", "--db"}, "--db"},
           {{"db", "info", "--db", path, "--wait", "soon"}, "soon"},
           {{"db", "export", "--db", path, "--format", "xml", (dir / "out").string()}, "xml"},
       })
    expect_user_error(c);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(BadCli, BadUrls) {
  TempDir dir;
  for (const Case& c : std::vector<Case>{
           {{"db", "info", "--db", "postgresql://host/db"}, "unsupported database URL scheme 'postgresql'"},
           {{"db", "info", "--db", "duckdb://host/x.duckdb"}, "has a host part"},
           {{"db", "info", "--db", "duckdb://"}, "has a host part or no path"},
           {{"db", "info", "--db", ""}, "empty database URL"},
           {{"db", "info", "--db", (dir / "registry.sqlite").string()}, "is not a database URL"},
           {{"db", "init", "--db", (dir / "no/such/dir/x.duckdb").string()}, "does not exist"},
       })
    expect_user_error(c);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

// An ingest creates a missing database (the seed's daily workflow starts with one), but only when it
// writes: a dry run, a database in a directory that does not exist, or a bad input create nothing.
TEST(BadCli, IngestCreatesAMissingDatabaseOnlyWhenItWrites) {
  TempDir dir;
  const auto path = (dir / "new.duckdb").string();
  const auto data = (dir / "data").string();
  fs::create_directories(data);
  expect_user_error({{"ingest", "directory", data, "--db", path, "--dry-run"}, "does not exist"});
  expect_user_error({{"ingest", "directory", data, "--db", (dir / "no/such/dir/x.duckdb").string()}, "does not exist"});
  expect_user_error({{"ingest", "directory", (dir / "nowhere").string(), "--db", path}, "nowhere"});
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(dir / "no"));
  auto r = run_cli({"ingest", "directory", data, "--db", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("note: created the database " + path), std::string::npos) << r.err;
  auto again = run_cli({"ingest", "directory", data, "--db", path});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("created the database"), std::string::npos) << again.err;
}

TEST(BadCli, ReadersNeverCreateAMissingDatabase) {
  TempDir dir;
  auto path = (dir / "missing.duckdb").string();
  for (const Case& c : std::vector<Case>{
           {{"db", "info", "--db", path}, "database " + path + " does not exist"},
           {{"db", "export", "--db", path, (dir / "out").string()}, "does not exist"},
           {{"db", "vacuum", "--db", path}, "does not exist"},
           {{"db", "info", "--db", "duckdb:///" + path}, "does not exist"},
       })
    expect_user_error(c);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".wal"));
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(BadCli, NewerSchemaVersionIsRefusedAndLeftAlone) {
  TempDir dir;
  auto path = (dir / "future.duckdb").string();
  ASSERT_EQ(run_cli({"db", "init", "--db", path}).exit_code, 0);
  {
    auto s = storage::duckdb::Session::open(path, {storage::OpenMode::ReadWrite, 0, {}});
    s->con().execute("UPDATE schema_meta SET value = '99' WHERE key = 'schema_version'");
  }
  for (const Case& c : std::vector<Case>{
           {{"db", "info", "--db", path}, "schema version 99, newer than this tolteca_db"},
           {{"db", "vacuum", "--db", path}, "schema version 99"},
           {{"db", "init", "--db", path}, "schema version 99"},
       })
    expect_user_error(c);
  storage::duckdb::Database raw(path, /*read_only=*/true);
  storage::duckdb::Connection con(raw);
  EXPECT_EQ(con.scalar_string("SELECT value FROM schema_meta WHERE key = 'schema_version'"), "99");
}

TEST(BadCli, MalformedSpecsAndFiltersPointAtTheProblem) {
  TempDir dir;
  auto path = (dir / "q.duckdb").string();
  ASSERT_EQ(run_cli({"db", "init", "--db", path}).exit_code, 0);
  for (const Case& c : std::vector<Case>{
           {{"query", "obs", "--db", path, "ics-18366-[0:"}, "ics-18366-[0:"},
           {{"query", "obs", "--db", path, "foo-1"}, "foo-1"},
           {{"query", "obs", "--db", path, "18366/toltec13"}, "toltec13"},
           {{"query", "obs", "--db", path, "18366-{1,x}"}, "18366-{1,x}"},
           {{"query", "obs", "--db", path, "[5:1:0]"}, "[5:1:0]"},
           {{"query", "obs", "--db", path, "99999999999999999999999"}, "99999999999999999999999"},
           {{"query", "files", "--db", path, "ics--1"}, "ics--1"},
           {{"query", "obs", "--db", path, "--master", "lmt"}, "--master 'lmt'"},
           {{"query", "obs", "--db", path, "--kind", "Banana"}, "--kind 'Banana'"},
           {{"query", "obs", "--db", path, "--since", "the-day-before"}, "the-day-before"},
           {{"query", "obs", "--db", path, "--sort", "random"}, "random"},
           {{"query", "obs", "--db", path, "--limit", "many"}, "many"},
           {{"query", "obs", "--db", path, "--format", "xml"}, "xml"},
           {{"query", "nonsense", "--db", path}, "unknown command 'nonsense' for 'tolteca_db query'"},
           {{"query", "export", "--db", path, (dir / "o.csv").string(), "--where", "1=1; DROP TABLE products"},
            "--where"},
           {{"query", "export", "--db", path, (dir / "o.csv").string(), "--what", "sqlite_master"}, "sqlite_master"},
       })
    expect_user_error(c);
}

TEST(BadCli, QueriesOnAMissingDatabaseDoNotCreateIt) {
  TempDir dir;
  auto path = (dir / "none.duckdb").string();
  for (auto sub : {"obs", "groups", "stats"}) expect_user_error({{"query", sub, "--db", path}, "does not exist"});
  expect_user_error({{"query", "files", "--db", path, "[]"}, "does not exist"});
  expect_user_error({{"query", "provenance", "--db", path, "ics-1-0-0"}, "does not exist"});
  expect_user_error({{"query", "export", "--db", path, (dir / "o.csv").string()}, "does not exist"});

  EXPECT_TRUE(fs::is_empty(dir.path())) << "a query created something";
}

}  // namespace
}  // namespace tolteca::test
