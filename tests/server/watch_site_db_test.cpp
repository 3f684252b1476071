// `serve --watch-site-db`: the site file database is polled; rows are recorded as they turn valid
// (Valid 0 -> 1), and the final registry equals a batch `ingest toltec-db` of the finished database.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "server/serve_fixture.h"

namespace tolteca::test {
namespace {

namespace fs = std::filesystem;

void sql(const fs::path& db, const std::string& statement) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  sqlite3_busy_timeout(h, 10000);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(h, statement.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(h);
}

nlohmann::json site_status(const ServeProcess& s) {
  auto c = s.http();
  auto r = c.Get("/api/v1/health");
  if (!r || r->status != 200) return nullptr;
  return nlohmann::json::parse(r->body)["watch"];
}

// Waits for three polls that record nothing; returns the status then.
nlohmann::json wait_site_idle(const ServeProcess& s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::int64_t polls = -1, files = -1;
  int quiet = 0;
  nlohmann::json w;
  while (std::chrono::steady_clock::now() < deadline) {
    w = site_status(s);
    if (w.is_object() && w["site_db"].is_object()) {
      const auto p = w["site_db"]["polls"].get<std::int64_t>(), f = w["site_db"]["files_ingested"].get<std::int64_t>();
      if (p != polls) {
        quiet = f == files ? quiet + 1 : 0;
        polls = p;
        files = f;
      }
      if (quiet >= 3) return w;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "the site database watcher did not become idle: " << w.dump();
  return w;
}

TEST(ServeWatchSiteDb, RowsAreRecordedAsTheyTurnValidAndTheEndEqualsABatchIngest) {
  TempDir dir;
  const fs::path data = dir / "data_lmt", site = dir / "site.sqlite", live = dir / "live.sqlite";
  auto sim = run_cli({"simulate", data.string(), "--scale", "0.1", "--seed", "9", "--toltec-db", site.string()});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  fs::copy_file(site, live);
  sql(live, "UPDATE toltec SET Valid = 0");
  const std::string db = (dir / "live.duckdb").string();
  ServeProcess s(db, {"--watch-site-db", live.string(), "--data-root", data.string(), "--poll", "0.3"});
  ASSERT_TRUE(s.ready());
  auto w = wait_site_idle(s);
  EXPECT_EQ(w["site_db"]["files_ingested"], 0) << w.dump();  // nothing valid yet
  sql(live, "UPDATE toltec SET Valid = 1 WHERE id <= (SELECT MAX(id) / 2 FROM toltec)");
  w = wait_site_idle(s);
  const auto half = w["site_db"]["files_ingested"].get<std::int64_t>();
  EXPECT_GT(half, 0) << w.dump();
  sql(live, "UPDATE toltec SET Valid = 1");
  w = wait_site_idle(s);
  EXPECT_GT(w["site_db"]["files_ingested"].get<std::int64_t>(), half) << w.dump();
  EXPECT_EQ(w["errors"], 0) << w.dump();
  EXPECT_EQ(s.stop(), 0);

  const std::string batch = (dir / "batch.duckdb").string();
  auto r = run_cli({"ingest", "toltec-db", site.string(), "--db", batch, "--data-root", data.string(),
                    "--with-associations", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(registry_view(db), registry_view(batch));
}

}  // namespace
}  // namespace tolteca::test
