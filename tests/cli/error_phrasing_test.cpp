// The CLI phrases the library's typed errors (storage/errors.h, query::BadWhereTerm) with its
// flag names: the texts users saw before the errors carried facts, byte for byte.
#include <gtest/gtest.h>

#include <fstream>

#include "storage/duckdb/duckdb.h"
#include "support/test_support.h"

namespace tolteca::test {
namespace {

void expect_error_line(const RunResult& r, const std::string& line) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err, "tolteca_db: error: " + line + "\n");
}

TEST(ErrorPhrasing, SchemaAndBackupErrorsNameTheFlags) {
  TempDir dir;
  const std::string db = (dir / "r.duckdb").string();
  ASSERT_EQ(run_cli({"db", "init", "--db", db}).exit_code, 0);

  // An export into a directory that holds something else.
  std::filesystem::create_directories(dir / "other");
  std::ofstream(dir / "other" / "notes.txt") << "mine\n";
  expect_error_line(run_cli({"db", "export", (dir / "other").string(), "--db", db, "--force"}),
                    (dir / "other").string() +
                        " is not a tolteca_db export (it holds notes.txt); --force replaces only an earlier export: "
                        "choose another directory");

  // An import from a directory without a manifest.
  std::filesystem::create_directories(dir / "empty");
  const std::string fresh = (dir / "fresh.duckdb").string();
  ASSERT_EQ(run_cli({"db", "init", "--db", fresh}).exit_code, 0);
  expect_error_line(run_cli({"db", "import", (dir / "empty").string(), "--db", fresh}),
                    (dir / "empty").string() +
                        " has no manifest.json: an incomplete export (interrupted) or one made before exports carried "
                        "a manifest; export again with 'tolteca_db db export', or pass --no-verify to restore its "
                        "files unchecked");
  // A subset export lacks a table asked for.
  const std::string part = (dir / "part").string();
  ASSERT_EQ(run_cli({"db", "export", part, "--db", db, "--tables", "locations"}).exit_code, 0);
  expect_error_line(run_cli({"db", "import", part, "--db", fresh, "--tables", "products"}),
                    "--tables: table products is not in the export in " + part);
}

TEST(ErrorPhrasing, DatabaseWithoutSchemaNamesTheCommand) {
  TempDir dir;
  const std::string db = (dir / "raw.duckdb").string();
  { storage::duckdb::Database raw(db); }
  expect_error_line(run_cli({"db", "info", "--db", db}),
                    "database " + db + " has no tolteca_db schema; run 'tolteca_db db init' first");
}

TEST(ErrorPhrasing, WhereTermNamesTheFlag) {
  TempDir dir;
  const std::string db = (dir / "r.duckdb").string();
  ASSERT_EQ(run_cli({"db", "init", "--db", db}).exit_code, 0);
  expect_error_line(run_cli({"query", "export", "--db", db, (dir / "o.csv").string(), "--where", "tau"}),
                    "invalid --where 'tau' at character 4: expected an operator; expected COLUMN OP VALUE with OP "
                    "one of = != < <= > >= like ilike");
}

}  // namespace
}  // namespace tolteca::test
