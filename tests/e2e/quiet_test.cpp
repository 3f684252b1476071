// -q on the commands that write: nothing printed but errors (and --json when asked for), the work done.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace tolteca::test {
namespace {

TEST(Quiet, TheWritingCommandsPrintNothingButDoTheirWork) {
  TempDir dir;
  const std::string data = (dir / "data").string(), db = (dir / "x.duckdb").string();
  ASSERT_EQ(run_cli({"simulate", data, "--scale", "0.05", "-q"}).exit_code, 0);
  const std::vector<std::vector<std::string>> commands = {
      {"db", "init", "--db", db, "--data-root", data, "-q"},
      {"ingest", "directory", data, "--db", db, "-q"},
      {"assoc", "generate", "--db", db, "-q"},
      {"assoc", "generate", "--db", db, "--limit", "5", "-q"},
      {"db", "vacuum", "--db", db, "-q"},
      {"db", "export", (dir / "exp").string(), "--db", db, "-q"},
      {"db", "import", (dir / "exp").string(), "--db", (dir / "y.duckdb").string(), "-q"},
      {"assoc", "reset-state", "--db", db, "--yes", "-q"},
  };
  for (const auto& c : commands) {
    const auto r = run_cli(c);
    EXPECT_EQ(r.exit_code, 0) << c[0] << ' ' << c[1] << ": " << r.err;
    EXPECT_EQ(r.out, "") << c[0] << ' ' << c[1];
    EXPECT_EQ(r.err, "") << c[0] << ' ' << c[1];
  }
  // The work was done: the imported copy has the groups the generation made.
  const auto groups = run_cli({"query", "groups", "--db", (dir / "y.duckdb").string(), "--json"});
  ASSERT_EQ(groups.exit_code, 0) << groups.err;
  EXPECT_FALSE(nlohmann::json::parse(groups.out).empty());
  // --json still prints with -q.
  const auto j = run_cli({"assoc", "generate", "--db", db, "-q", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_TRUE(nlohmann::json::parse(j.out).contains("considered"));
}

}  // namespace
}  // namespace tolteca::test
