// End-to-end tests of `tolteca_db db …` and the CLI conventions (exit codes,
// --json, --help, --version).
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "storage/duckdb/schema.h"
#include "support/test_support.h"

namespace tolteca::test {
namespace {

TEST(CliConventions, VersionNamesDuckDb) {
  auto r = run_cli({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("tolteca_db"), std::string::npos);
  EXPECT_NE(r.out.find("DuckDB v1.4.4"), std::string::npos) << r.out;
}

TEST(CliConventions, HelpHasExamplesAndExitsZero) {
  for (auto args : std::vector<std::vector<std::string>>{
           {"--help"}, {"db", "init", "--help"}, {"db", "info", "--help"}, {"db", "export", "--help"}}) {
    auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << args[0];
    EXPECT_NE(r.out.find("Examples:"), std::string::npos) << r.out;
  }
}

TEST(CliConventions, UserErrorsExitOneWithOneLine) {
  TempDir dir;
  for (auto args : std::vector<std::vector<std::string>>{
           {"db", "info", "--db", (dir / "missing.duckdb").string()},
           {"db", "info", "--db", "postgresql://host/db"},
           {"db", "no-such-command"},
           {"db", "info", "--no-such-option"},
       }) {
    auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_FALSE(r.err.empty());
  }
  auto r = run_cli({"db", "info", "--db", (dir / "missing.duckdb").string()});
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "missing.duckdb"));
}

TEST(DbCommands, InitInfoJsonShowsRegistries) {
  TempDir dir;
  std::string url = "duckdb:///" + (dir / "t.duckdb").string();  // absolute: four slashes
  auto init = run_cli({"db", "init", "--db", url, "--location", "LMT", "--data-root", "/data_lmt", "--json"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  auto ij = nlohmann::json::parse(init.out);
  EXPECT_TRUE(ij["created"].get<bool>());
  EXPECT_EQ(ij["location"]["label"], "LMT");

  auto again = run_cli({"db", "init", "--db", url});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("already initialised"), std::string::npos);

  auto info = run_cli({"db", "info", "--db", url, "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  auto j = nlohmann::json::parse(info.out);
  EXPECT_EQ(j["schema_version"], tolteca::storage::duckdb::kSchemaVersion);
  EXPECT_EQ(j["duckdb_version"], "v1.4.4");
  EXPECT_EQ(j["tables"]["product_types"], 7);
  EXPECT_EQ(j["product_types"].size(), 7u);
  EXPECT_EQ(j["assoc_types"].size(), 7u);
  EXPECT_EQ(j["data_kinds"].size(), 5u);
  EXPECT_EQ(j["locations"][0]["root_path"], "/data_lmt");
  EXPECT_GT(j["file_size"].get<long>(), 0);
}

TEST(DbCommands, ExportWritesParquetThatDuckDbReadsBackAndImportRestores) {
  TempDir dir;
  std::string db = (dir / "t.duckdb").string();
  ASSERT_EQ(run_cli({"db", "init", "--db", db, "--location", "LMT", "--data-root", "/x"}).exit_code, 0);
  auto ex = run_cli({"db", "export", (dir / "out").string(), "--db", db, "--json"});
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  auto files = nlohmann::json::parse(ex.out);
  EXPECT_EQ(files.size(), 11u);  // the schema's tables, tel_meta included
  for (const auto& f : files) EXPECT_TRUE(std::filesystem::exists(f["path"].get<std::string>()));

  std::string db2 = (dir / "r.duckdb").string();
  auto im = run_cli({"db", "import", (dir / "out").string(), "--db", db2, "--json"});
  ASSERT_EQ(im.exit_code, 0) << im.err;
  auto info = nlohmann::json::parse(run_cli({"db", "info", "--db", db2, "--json"}).out);
  EXPECT_EQ(info["locations"][0]["label"], "LMT");

  auto sub = run_cli({"db", "export", (dir / "csv").string(), "--db", db, "--tables", "locations,data_kinds",
                      "--format", "csv"});
  EXPECT_EQ(sub.exit_code, 0) << sub.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "csv" / "data_kinds.csv"));
  EXPECT_FALSE(std::filesystem::exists(dir / "csv" / "products.csv"));
  EXPECT_EQ(run_cli({"db", "export", (dir / "x").string(), "--db", db, "--tables", "bogus"}).exit_code, 1);
}

TEST(DbCommands, VacuumReportsSizes) {
  TempDir dir;
  std::string db = (dir / "t.duckdb").string();
  ASSERT_EQ(run_cli({"db", "init", "--db", db}).exit_code, 0);
  auto r = run_cli({"db", "vacuum", "--db", db, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["size_before"].get<long>(), 0);
  EXPECT_GT(j["size_after"].get<long>(), 0);
}

TEST(DbCommands, EnvironmentVariableSetsTheDefaultDatabase) {
  TempDir dir;
  std::string db = (dir / "env.duckdb").string();
  auto r = run_cli({"db", "init"}, {"TOLTECA_DB_URL=" + db});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(db));
}

}  // namespace
}  // namespace tolteca::test
