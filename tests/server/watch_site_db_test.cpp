// `serve --watch-site-db`: the site file database, filled live by `simulate --live --toltec-db`, is
// polled; rows are recorded as they turn valid (Valid 0 -> 1), and the final registry equals a batch
// `ingest toltec-db` of the finished database.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <set>

#include <filesystem>

#include "server/serve_fixture.h"

namespace tolteca::test {
namespace {

namespace fs = std::filesystem;

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
  const fs::path data = dir / "data_lmt", site = dir / "site.sqlite";
  // The night written live (2000x, about 3.5 s): each network file's row is inserted with Valid 0
  // when the file starts and set to 1 when it is complete.
  const pid_t writer = spawn_cli({"simulate", data.string(), "--scale", "0.1", "--seed", "9", "--toltec-db",
                                  site.string(), "--drop-network", "3@10", "--live", "--speed", "2000", "-q"},
                                 "/dev/null");
  struct Reap {
    pid_t pid;
    ~Reap() {
      if (pid > 0 && ::kill(pid, SIGKILL) == 0) wait_cli(pid);
    }
  } reap{writer};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(site) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(fs::exists(site)) << "simulate --live did not create " << site;
  const std::string db = (dir / "live.duckdb").string();
  ServeProcess s(db, {"--watch-site-db", site.string(), "--data-root", data.string(), "--poll", "0.3"});
  ASSERT_TRUE(s.ready());
  // Files are recorded while the night is written, not only at its end.
  std::set<std::int64_t> seen;
  std::optional<int> written;
  while (!(written = try_wait_cli(writer))) {
    const auto w = site_status(s);
    if (w.is_object() && w["site_db"].is_object()) seen.insert(w["site_db"]["files_ingested"].get<std::int64_t>());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  reap.pid = -1;
  ASSERT_EQ(*written, 0);
  auto w = wait_site_idle(s);
  const auto all = w["site_db"]["files_ingested"].get<std::int64_t>();
  EXPECT_GE(std::count_if(seen.begin(), seen.end(), [&](std::int64_t n) { return n > 0 && n < all; }), 2);
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
