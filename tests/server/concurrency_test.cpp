// The end-to-end case: a server runs while `ingest directory` (a separate CLI run) ingests a
// night and CLI and HTTP queries loop: no query fails, every answer is a committed state (internally
// consistent), and the final registry equals one made without a server.
#include <gtest/gtest.h>

#include <atomic>

#include "server/serve_fixture.h"

namespace tolteca::test {
namespace {

// A committed state: the per-master observation counts add up to the total, as do the per-night ones.
void expect_consistent(const nlohmann::json& stats, const std::string& who) {
  std::int64_t per_master = 0, per_night = 0;
  for (auto& [k, v] : stats.at("per_master").items()) per_master += v.get<std::int64_t>();
  for (const auto& n : stats.at("per_night")) per_night += n.at("observations").get<std::int64_t>();
  const auto total = stats.at("observations").get<std::int64_t>();
  EXPECT_EQ(per_master, total) << who << ": " << stats.dump();
  EXPECT_EQ(per_night, total) << who << ": " << stats.dump();
}

TEST(ServeConcurrency, QueriesDuringAnIngestNeverFailAndSeeCommittedStates) {
  TempDir dir;
  const std::string db = make_night_registry(dir);
  const std::string data2 = (dir / "data2").string();
  ASSERT_EQ(run_cli({"simulate", data2, "--nights", "2", "--scale", "0.3", "--start-date", "2024-12-01",
                     "--ics-start-obsnum", "19000", "--tcs-start-obsnum", "140000"})
                .exit_code,
            0);
  ServeProcess server(db);
  ASSERT_TRUE(server.ready());
  const std::string log = (dir / "ingest.log").string();
  const pid_t ingest = spawn_cli({"ingest", "directory", data2, "--db", db, "--location", "LMT2", "-q"}, log);
  std::atomic<bool> done{false};
  std::atomic<int> cli_queries{0}, http_queries{0}, failures{0};
  std::vector<std::int64_t> seen;  // file counts the CLI loop saw, in order
  std::thread cli_loop([&] {
    while (!done) {
      auto r = run_cli({"query", "stats", "--db", db, "--json"});
      if (r.exit_code != 0) {
        failures++;
        ADD_FAILURE() << "CLI query failed: " << r.err;
        continue;
      }
      auto j = nlohmann::json::parse(r.out);
      expect_consistent(j, "cli");
      seen.push_back(j.at("files").get<std::int64_t>());
      cli_queries++;
    }
  });
  std::thread http_loop([&] {
    auto c = server.http();
    while (!done) {
      auto res = c.Get("/api/v1/stats");
      if (!res || res->status != 200) {
        failures++;
        ADD_FAILURE() << "HTTP query failed: " << (res ? res->body : httplib::to_string(res.error()));
        continue;
      }
      expect_consistent(nlohmann::json::parse(res->body), "http");
      auto obs = c.Get("/api/v1/obs?spec=latest");
      if (!obs || obs->status != 200) failures++;
      http_queries++;
    }
  });
  const int ingest_code = wait_cli(ingest);
  done = true;
  cli_loop.join();
  http_loop.join();
  EXPECT_EQ(ingest_code, 0) << read_bytes(log);
  EXPECT_EQ(failures, 0);
  EXPECT_GT(cli_queries + http_queries, 0);
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_LE(seen[i - 1], seen[i]) << "a committed state went back";
  // The metrics name the ingest that ran.
  auto metrics = server.http().Get("/api/v1/metrics");
  ASSERT_TRUE(metrics);
  const auto last = nlohmann::json::parse(metrics->body).at("last_ingest");
  ASSERT_TRUE(last.is_object()) << metrics->body;
  EXPECT_EQ(last.at("command").get<std::string>().rfind("ingest directory", 0), 0u) << last.dump();
  EXPECT_EQ(server.stop(), 0);

  // The same two ingests without a server.
  TempDir ref;
  const std::string ref_db = make_night_registry(ref);
  ASSERT_EQ(run_cli({"ingest", "directory", data2, "--db", ref_db, "--location", "LMT2", "-q"}).exit_code, 0);
  EXPECT_EQ(run_cli({"query", "obs", "--db", db, "--json"}).out, run_cli({"query", "obs", "--db", ref_db, "--json"}).out);
  auto strip = [](const std::string& s) {
    auto j = nlohmann::json::parse(s);
    j.erase("db_size");
    return j;
  };
  EXPECT_EQ(strip(run_cli({"query", "stats", "--db", db, "--json"}).out),
            strip(run_cli({"query", "stats", "--db", ref_db, "--json"}).out));
}

}  // namespace
}  // namespace tolteca::test
