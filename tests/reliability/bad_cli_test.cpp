// Bad command-line input: unknown options and commands, bad URLs, missing databases (never created by
// a reader), a database of a newer schema version. Every case: exit 1, one clear line on stderr, and
// the file system is left as it was.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "db/session.h"
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
           {{"no-such-group"}, "no-such-group"},
           {{"db", "frobnicate"}, "frobnicate"},
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
    auto s = db::Session::open(path, {db::OpenMode::ReadWrite, 0});
    s->con().execute("UPDATE schema_meta SET value = '99' WHERE key = 'schema_version'");
  }
  for (const Case& c : std::vector<Case>{
           {{"db", "info", "--db", path}, "schema version 99, newer than this tolteca_db"},
           {{"db", "vacuum", "--db", path}, "schema version 99"},
           {{"db", "init", "--db", path}, "schema version 99"},
       })
    expect_user_error(c);
  db::Database raw(path, /*read_only=*/true);
  db::Connection con(raw);
  EXPECT_EQ(con.scalar_string("SELECT value FROM schema_meta WHERE key = 'schema_version'"), "99");
}

}  // namespace
}  // namespace tolteca::test
