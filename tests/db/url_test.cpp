#include "db/url.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "model/error.h"

namespace tolteca::db {
namespace {

TEST(DbUrl, ParsesSupportedForms) {
  struct Case {
    const char* text;
    const char* path;
  } cases[] = {
      {"duckdb:///./tolteca.duckdb", "./tolteca.duckdb"},
      {"duckdb:///relative/x.duckdb", "relative/x.duckdb"},
      {"duckdb:////abs/path/x.duckdb", "/abs/path/x.duckdb"},
      {"duckdb:///:memory:", ":memory:"},
      {"plain.duckdb", "plain.duckdb"},
      {"/abs/plain.duckdb", "/abs/plain.duckdb"},
  };
  for (const auto& c : cases) {
    auto url = parse_db_url(c.text);
    EXPECT_EQ(url.backend, "duckdb") << c.text;
    EXPECT_EQ(url.path, c.path) << c.text;
    EXPECT_EQ(url.text, c.text);
  }
  EXPECT_TRUE(parse_db_url("duckdb:///:memory:").in_memory());
}

TEST(DbUrl, RejectsOthersWithTheSupportedList) {
  for (const char* bad : {"", "postgresql://host/db", "mysql://u@h/db", "duckdb://host/x.duckdb", "duckdb:///",
                          "toltec.db", "sqlite:///x.sqlite"}) {
    try {
      parse_db_url(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("supported:"), std::string::npos) << e.what();
    }
  }
}

TEST(DbUrl, DefaultComesFromTheEnvironment) {
  unsetenv("TOLTECA_DB_URL");
  EXPECT_EQ(default_db_url(), "duckdb:///./tolteca.duckdb");
  setenv("TOLTECA_DB_URL", "duckdb:///other.duckdb", 1);
  EXPECT_EQ(default_db_url(), "duckdb:///other.duckdb");
  unsetenv("TOLTECA_DB_URL");
}

}  // namespace
}  // namespace tolteca::db
