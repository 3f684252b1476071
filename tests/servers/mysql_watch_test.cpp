// `serve --watch-site-db mysql://…`: the watcher polls a real MariaDB through the same reader. Rows
// that are not valid yet wait; when they turn valid (and new rows arrive) they are recorded; the end
// equals a batch `ingest toltec-db` of the SQLite extract of the same night.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "server/serve_fixture.h"
#include "servers/site_db_loader.h"

namespace tolteca::test {
namespace {

namespace fs = std::filesystem;

// Waits until the watcher has recorded `files` files and then polled twice more; returns its status.
nlohmann::json wait_recorded(const ServeProcess& s, std::int64_t files) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  nlohmann::json w;
  std::int64_t polls_at = -1;
  while (std::chrono::steady_clock::now() < deadline) {
    auto c = s.http();
    if (auto r = c.Get("/api/v1/health"); r && r->status == 200) {
      w = nlohmann::json::parse(r->body)["watch"];
      if (w.is_object() && w["site_db"].is_object()) {
        const auto polls = w["site_db"]["polls"].get<std::int64_t>();
        if (w["site_db"]["files_ingested"].get<std::int64_t>() >= files && polls_at < 0) polls_at = polls;
        if (polls_at >= 0 && polls >= polls_at + 2) return w;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "the watcher did not record " << files << " files: " << w.dump();
  return w;
}

TEST(MysqlWatch, RowsTurningValidAreRecordedAndTheEndEqualsABatchIngest) {
  TempDir dir;
  const fs::path data = dir / "data_lmt";
  const std::string sqlite = (dir / "toltec.sqlite").string();
  auto r = run_cli({"simulate", data.string(), "--seed", "6", "--names-only", "--toltec-db", sqlite, "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  MysqlAdmin admin;
  const std::string db = unique_db_name("watch");
  const std::int64_t n = load_site_db(admin, sqlite, db);
  ASSERT_GT(n, 20);
  // The second half is still being written (Valid 0), the last rows are not there yet.
  const std::int64_t half = n / 2, present = n - 5;
  admin.exec("USE `" + db + "`");
  admin.exec("CREATE TABLE later AS SELECT * FROM toltec WHERE id > " + std::to_string(present));
  admin.exec("DELETE FROM toltec WHERE id > " + std::to_string(present));
  admin.exec("UPDATE toltec SET Valid = 0 WHERE id > " + std::to_string(half));
  const auto valid_files = [&] {
    return std::stoll(admin.column("SELECT COUNT(DISTINCT FileName) FROM toltec WHERE Valid <> 0")[0]);
  };
  const auto& srv = mysql_server();
  const std::string registry = (dir / "watched.duckdb").string();
  ServeProcess s(registry, {"--watch-site-db", srv.url(db, srv.reader, srv.reader_password), "--data-root",
                            data.string(), "--poll", "0.2"});
  ASSERT_TRUE(s.ready());
  auto w = wait_recorded(s, valid_files());
  EXPECT_EQ(w["site_db"]["files_ingested"].get<std::int64_t>(), valid_files()) << w.dump();
  // The files complete, and the rest of the night arrives.
  admin.exec("UPDATE toltec SET Valid = 1 WHERE id > " + std::to_string(half));
  admin.exec("INSERT INTO toltec SELECT * FROM later");
  w = wait_recorded(s, valid_files());
  EXPECT_EQ(w["site_db"]["files_ingested"].get<std::int64_t>(), valid_files()) << w.dump();
  EXPECT_EQ(w["errors"], 0) << w.dump();
  EXPECT_EQ(s.stop(), 0);
  admin.exec("DROP DATABASE `" + db + "`");

  const std::string batch = (dir / "batch.duckdb").string();
  r = run_cli({"ingest", "toltec-db", sqlite, "--db", batch, "--data-root", data.string(), "--with-associations",
               "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(registry_view(registry), registry_view(batch));
}

}  // namespace
}  // namespace tolteca::test
