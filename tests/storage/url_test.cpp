#include "storage/open.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "model/error.h"

namespace tolteca::storage {
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
    auto url = parse_registry_url(c.text);
    EXPECT_EQ(url.backend, "duckdb") << c.text;
    EXPECT_EQ(url.path, c.path) << c.text;
    EXPECT_EQ(url.text, c.text);
  }
  EXPECT_TRUE(parse_registry_url("duckdb:///:memory:").in_memory());
}

TEST(DbUrl, RejectsOthersWithTheSupportedList) {
  for (const char* bad : {"", "postgresql://host/db", "mysql://u@h/db", "duckdb://host/x.duckdb", "duckdb:///",
                          "toltec.db", "sqlite:///x.sqlite"}) {
    try {
      parse_registry_url(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("supported:"), std::string::npos) << e.what();
    }
  }
}

// The CLI reads $TOLTECA_DB_URL and passes it in (the library reads no environment).
TEST(DbUrl, DefaultIsTheConfiguredUrlElseTheLocalFile) {
  EXPECT_EQ(default_registry_url(std::nullopt), "duckdb:///./tolteca.duckdb");
  EXPECT_EQ(default_registry_url(std::string()), "duckdb:///./tolteca.duckdb");
  EXPECT_EQ(default_registry_url(std::string("duckdb:///other.duckdb")), "duckdb:///other.duckdb");
}

}  // namespace
}  // namespace tolteca::storage
