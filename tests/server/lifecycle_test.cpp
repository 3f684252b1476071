// The server's lifecycle: SIGTERM finishes the write in flight and exits 0; kill -9 loses nothing
// committed and the next run recovers (stale server file and socket); Ctrl-C of a forwarded
// command cancels its job.
#include <gtest/gtest.h>

#include <filesystem>

#include "server/serve_fixture.h"

namespace tolteca::test {
namespace {

std::string second_night(const TempDir& dir, double scale = 0.3) {
  const std::string data2 = (dir / "data2").string();
  auto r = run_cli({"simulate", data2, "--nights", "1", "--scale", std::to_string(scale), "--start-date",
                    "2024-12-01", "--ics-start-obsnum", "19000", "--tcs-start-obsnum", "140000"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return data2;
}

std::int64_t file_count(const std::string& db) {
  auto r = run_cli({"query", "stats", "--db", db, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out).at("files").get<std::int64_t>();
}

// Waits until the server has a write in flight (its metrics say so), up to 60 s.
bool wait_for_write(const ServeProcess& server) {
  auto c = server.http();
  for (int i = 0; i < 3000; ++i) {
    auto res = c.Get("/api/v1/metrics");
    if (res && res->status == 200 && nlohmann::json::parse(res->body).value("writing", false)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST(ServeLifecycle, SigtermFinishesTheWriteInFlightThenExitsZero) {
  TempDir dir;
  const std::string db = make_night_registry(dir);
  const std::string data2 = second_night(dir);
  ServeProcess server(db);
  ASSERT_TRUE(server.ready());
  const std::string log = (dir / "ingest.log").string();
  const pid_t ingest = spawn_cli({"ingest", "directory", data2, "--db", db, "--location", "LMT2", "--json", "-q"}, log);
  ASSERT_EQ(run_cli({"db", "location", "list", "--db", db}).exit_code, 0);  // served meanwhile
  (void)wait_for_write(server);  // may have finished already on a fast machine: then SIGTERM finds none
  EXPECT_EQ(server.stop(SIGTERM), 0);
  EXPECT_EQ(wait_cli(ingest), 0) << read_bytes(log);
  EXPECT_NE(read_bytes(log).find("\"new\""), std::string::npos) << read_bytes(log);  // its --json summary came back
  EXPECT_FALSE(std::filesystem::exists(server::server_file_path(db)));
  EXPECT_FALSE(std::filesystem::exists(server.info().socket));
  // The ingest ran to its end: every file of the second night is there.
  TempDir ref;
  const std::string ref_db = make_night_registry(ref);
  ASSERT_EQ(run_cli({"ingest", "directory", data2, "--db", ref_db, "--location", "LMT2", "-q"}).exit_code, 0);
  EXPECT_EQ(file_count(db), file_count(ref_db));
}

TEST(ServeLifecycle, KillNineLosesNothingCommittedAndTheNextRunRecovers) {
  TempDir dir;
  const std::string db = make_night_registry(dir);
  const std::string before = run_cli({"query", "obs", "--db", db, "--json"}).out;
  {
    ServeProcess server(db);
    ASSERT_TRUE(server.ready());
    EXPECT_EQ(run_cli({"query", "obs", "--db", db, "--json"}).out, before);
    EXPECT_EQ(server.stop(SIGKILL), 128 + SIGKILL);
    EXPECT_TRUE(std::filesystem::exists(server::server_file_path(db)));  // stale: its pid is dead
  }
  // A CLI run finds the stale server file, removes it, and opens the database itself.
  auto r = run_cli({"query", "obs", "--db", db, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, before);
  EXPECT_FALSE(std::filesystem::exists(server::server_file_path(db)));
  // A new server starts over a stale file too.
  {
    ServeProcess first(db);
    ASSERT_TRUE(first.ready());
    first.stop(SIGKILL);
  }
  ServeProcess second(db);
  ASSERT_TRUE(second.ready());
  EXPECT_EQ(run_cli({"query", "obs", "--db", db, "--json"}).out, before);
}

TEST(ServeLifecycle, CtrlCOfAForwardedIngestCancelsItsJobAndTheServerGoesOn) {
  TempDir dir;
  const std::string db = make_night_registry(dir);
  const std::string data2 = second_night(dir, 1.0);
  ServeProcess server(db);
  ASSERT_TRUE(server.ready());
  const std::string log = (dir / "ingest.log").string();
  const pid_t ingest = spawn_cli({"ingest", "directory", data2, "--db", db, "--location", "LMT2"}, log);
  if (wait_for_write(server)) ::kill(ingest, SIGINT);
  const int code = wait_cli(ingest);
  // Cancelled (130), or done before the Ctrl-C reached it (0) on a fast machine; never anything else.
  EXPECT_TRUE(code == 130 || code == 0) << code << "\n" << read_bytes(log);
  if (code == 130) {
    EXPECT_NE(read_bytes(log).find("tolteca_db: cancelled"), std::string::npos) << read_bytes(log);
  }
  // The server still answers, and a re-run of the ingest completes what was cancelled.
  auto again = run_cli({"ingest", "directory", data2, "--db", db, "--location", "LMT2", "-q"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  TempDir ref;
  const std::string ref_db = make_night_registry(ref);
  ASSERT_EQ(run_cli({"ingest", "directory", data2, "--db", ref_db, "--location", "LMT2", "-q"}).exit_code, 0);
  EXPECT_EQ(run_cli({"query", "obs", "--db", db, "--json"}).out.size(),
            run_cli({"query", "obs", "--db", ref_db, "--json"}).out.size());
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace tolteca::test
