// `serve --watch`: a night written as the instruments write it (`simulate --live`: files growing in
// steps, the current-file links beside them, networks finishing at different times, network 3
// dropping out) is registered as it settles, and the final registry (observations with their
// networks, files and cal edges; groups) equals a batch ingest of the finished tree: with inotify,
// with polling, across a kill -9 mid-night, and after an inotify queue overflow.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "server/serve_fixture.h"

namespace tolteca::test {
namespace {

namespace fs = std::filesystem;

nlohmann::json health(const ServeProcess& s) {
  auto c = s.http();
  auto r = c.Get("/api/v1/health");
  if (!r || r->status != 200) return nullptr;
  return nlohmann::json::parse(r->body);
}

// Waits until the watcher has nothing pending, nothing incomplete and no batch for a while.
nlohmann::json wait_idle(const ServeProcess& s, std::int64_t min_files) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::int64_t last_batches = -1;
  int quiet = 0;
  nlohmann::json h;
  while (std::chrono::steady_clock::now() < deadline) {
    h = health(s);
    if (h.is_object() && h.contains("watch")) {
      const auto& w = h["watch"];
      const bool idle = w["files_pending"] == 0 && w["observations_incomplete"] == 0 &&
                        w["files_ingested"].get<std::int64_t>() >= min_files;
      quiet = idle && w["batches"].get<std::int64_t>() == last_batches ? quiet + 1 : 0;
      last_batches = w["batches"].get<std::int64_t>();
      if (quiet >= 6) return h;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ADD_FAILURE() << "the watcher did not become idle: " << h.dump();
  return h;
}

std::string batch_view(const TempDir& dir, const fs::path& tree) {
  const std::string db = (dir / "batch.duckdb").string();
  auto r = run_cli({"ingest", "directory", tree.string(), "--db", db, "--with-associations", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return registry_view(db);
}

// One simulated night (scale 0.1, about 570 files over 2 h of plan time; network 3 drops out from the
// 10th observation on, so those observations complete by --settle) and a registry to watch it into.
struct Night {
  TempDir dir;
  fs::path live;
  std::string db;
  pid_t writer = -1;
  int rc = -1;
  Night() : live(dir / "data_lmt"), db((dir / "live.duckdb").string()) { fs::create_directories(live); }
  ~Night() {
    if (writer > 0) {
      ::kill(writer, SIGKILL);
      wait_cli(writer);
    }
  }
  std::vector<std::string> simulate_args(double speed) const {
    return {"simulate", live.string(), "--scale", "0.1", "--seed", "5", "--drop-network", "3@10", "--live",
            "--speed", fmt::format("{}", speed), "--force", "-q"};
  }
  // Starts writing the night live: 2000x, about 3.5 s.
  void start_writing(double speed = 2000) { writer = spawn_cli(simulate_args(speed), "/dev/null"); }
  int wait_written() {
    if (writer > 0) {
      rc = wait_cli(writer);
      writer = -1;
    }
    return rc;
  }
  // Whether the writer has finished (its exit code then in rc), without waiting.
  bool written() {
    if (writer > 0)
      if (const auto code = try_wait_cli(writer)) {
        rc = *code;
        writer = -1;
      }
    return writer < 0;
  }
  std::vector<std::string> serve_args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = {"--watch", live.string(), "--settle-file", "0.3", "--settle", "2"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  // The night's files (not the links, not the overflow test's other/).
  std::int64_t n() const {
    std::int64_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(live))
      files += e.is_regular_file() && !e.is_symlink() && e.path().parent_path() != live / "other";
    return files;
  }
};

// While the night is written: the most observations the watcher showed incomplete at once, and
// whether `query obs` (served) showed one of them with "complete": false and listed it with
// --incomplete.
struct WhileWritten {
  std::int64_t most_incomplete = 0;
  bool query_showed_incomplete = false;
};
WhileWritten watch_while_written(Night& night, const ServeProcess& s) {
  WhileWritten seen;
  while (!night.written()) {
    const auto h = health(s);
    const std::int64_t now = h.is_object() ? h["watch"]["observations_incomplete"].get<std::int64_t>() : 0;
    seen.most_incomplete = std::max(seen.most_incomplete, now);
    if (now > 0 && !seen.query_showed_incomplete) {
      auto obs = run_cli({"query", "obs", "--db", night.db, "--json"});
      auto listed = run_cli({"query", "obs", "--db", night.db, "--json", "--incomplete"});
      if (obs.exit_code == 0 && listed.exit_code == 0) {
        std::set<std::string> held, in_listed;
        for (const auto& o : nlohmann::json::parse(obs.out))
          if (!o["complete"].get<bool>()) held.insert(o["uid"].get<std::string>());
        for (const auto& o : nlohmann::json::parse(listed.out)) in_listed.insert(o["uid"].get<std::string>());
        seen.query_showed_incomplete =
            !held.empty() && std::includes(in_listed.begin(), in_listed.end(), held.begin(), held.end());
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return seen;
}

TEST(ServeWatch, InotifyRegistersTheNightAsItIsWrittenAndEndsEqualToABatchIngest) {
  Night night;
  ServeProcess s(night.db, night.serve_args());
  ASSERT_TRUE(s.ready());
  night.start_writing();
  // Observations are shown incomplete while their files come in (and those without network 3 until
  // --settle).
  const auto seen = watch_while_written(night, s);
  EXPECT_GT(seen.most_incomplete, 0);
  EXPECT_TRUE(seen.query_showed_incomplete);
  ASSERT_EQ(night.wait_written(), 0);
  ASSERT_GT(night.n(), 100);
  const auto h = wait_idle(s, night.n());
  EXPECT_EQ(h["watch"]["roots"][0]["mode"], "inotify");
  EXPECT_EQ(h["watch"]["errors"], 0) << h.dump();
  // query stats, run by the server, shows the watcher too.
  auto stats = run_cli({"query", "stats", "--db", night.db, "--json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const auto st = nlohmann::json::parse(stats.out);
  ASSERT_TRUE(st.contains("watch")) << stats.out;
  EXPECT_EQ(st["watch"]["roots"][0]["mode"], "inotify");
  EXPECT_EQ(st["watch"]["observations_incomplete"], 0);
  stats = run_cli({"query", "stats", "--db", night.db});
  EXPECT_NE(stats.out.find("watcher:"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("files pending"), std::string::npos) << stats.out;
  EXPECT_EQ(s.stop(), 0);
  EXPECT_EQ(registry_view(night.db), batch_view(night.dir, night.live));
}

// A night written live while a server watches with `extra` options; the root ends in `mode` and the
// registry equal to a batch ingest of the finished tree.
void expect_watched_night_equals_batch(const std::vector<std::string>& extra, const std::string& mode) {
  Night night;
  ServeProcess s(night.db, night.serve_args(extra));
  ASSERT_TRUE(s.ready());
  night.start_writing();
  ASSERT_EQ(night.wait_written(), 0);
  const auto h = wait_idle(s, night.n());
  EXPECT_EQ(h["watch"]["roots"][0]["mode"], mode) << h.dump();
  EXPECT_EQ(h["watch"]["errors"], 0) << h.dump();
  EXPECT_EQ(s.stop(), 0);
  EXPECT_EQ(registry_view(night.db), batch_view(night.dir, night.live));
}

TEST(ServeWatch, PollingModeEndsEqualToABatchIngest) { expect_watched_night_equals_batch({"--poll", "0.3"}, "poll"); }

TEST(ServeWatch, KilledMidNightAndRestartedItCatchesUpAndEndsEqualToABatchIngest) {
  Night night;
  {
    ServeProcess s(night.db, night.serve_args());
    ASSERT_TRUE(s.ready());
    night.start_writing();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // some batches in, some not
    ASSERT_FALSE(night.written());
    EXPECT_EQ(s.stop(SIGKILL), 128 + SIGKILL);
  }
  ASSERT_EQ(night.wait_written(), 0);
  ServeProcess s(night.db, night.serve_args());  // finds the stale server file, catches up
  ASSERT_TRUE(s.ready());
  const auto h = wait_idle(s, 0);
  EXPECT_GE(h["watch"]["catch_up_scans"].get<int>(), 1);
  EXPECT_EQ(s.stop(), 0);
  EXPECT_EQ(registry_view(night.db), batch_view(night.dir, night.live));
}

// The per-user inotify watch limit (here a share of it, --inotify-max-dirs 4: the night has more
// directories): the roots turn to polling, with a catch-up, and nothing is missed.
TEST(ServeWatch, AtTheInotifyWatchLimitTheRootsArePolledAndNothingIsMissed) {
  expect_watched_night_equals_batch({"--inotify-max-dirs", "4"}, "poll");
}

TEST(ServeWatch, AnInotifyQueueOverflowIsCaughtUpByAScan) {
  Night night;
  ServeProcess s(night.db, night.serve_args());
  ASSERT_TRUE(s.ready());
  // A directory first, so that it is watched; then, stopped, the server reads no events: the night
  // (written at once) plus 20000 other files overflow the kernel's queue (16384 events by default;
  // each file makes at least two).
  fs::create_directories(night.live / "other");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_EQ(::kill(s.pid(), SIGSTOP), 0);
  auto written = run_cli(night.simulate_args(1e9));
  EXPECT_EQ(written.exit_code, 0) << written.err;
  for (int i = 0; i < 20000; ++i) std::ofstream(night.live / "other" / (std::to_string(i) + ".txt")) << i;
  ASSERT_EQ(::kill(s.pid(), SIGCONT), 0);
  const auto h = wait_idle(s, night.n());
  EXPECT_GE(h["watch"]["overflows"].get<int>(), 1) << h.dump();
  EXPECT_EQ(s.stop(), 0);
  EXPECT_EQ(registry_view(night.db), batch_view(night.dir, night.live));
}

TEST(ServeWatch, ADeletedFileBecomesMissing) {
  Night night;
  ServeProcess s(night.db, night.serve_args());
  ASSERT_TRUE(s.ready());
  night.start_writing(1e6);
  ASSERT_EQ(night.wait_written(), 0);
  wait_idle(s, night.n());
  fs::path victim;
  for (const auto& e : fs::recursive_directory_iterator(night.live))
    if (e.is_regular_file() && !e.is_symlink() && e.path().filename().string().rfind("toltec", 0) == 0 &&
        e.path().extension() == ".nc") {
      victim = e.path();
      break;
    }
  ASSERT_FALSE(victim.empty());
  fs::remove(victim);
  const auto h = wait_idle(s, night.n());
  EXPECT_EQ(h["watch"]["files_missing"], 1) << h.dump();
  auto r = run_cli({"query", "obs", "--db", night.db, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::int64_t missing = 0;
  for (const auto& o : nlohmann::json::parse(r.out)) missing += o["n_missing"].get<std::int64_t>();
  EXPECT_EQ(missing, 1);
}

TEST(ServeWatch, BadWatchOptionsAreRefusedNamingTheOption) {
  TempDir dir;
  const std::string db = (dir / "x.duckdb").string();
  auto r = run_cli({"serve", "--db", db, "--watch", dir.str(), "--settle", "0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--settle 0"), std::string::npos) << r.err;
  r = run_cli({"serve", "--db", db, "--watch", dir.str(), "--networks", "0-99"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--networks 0-99"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tolteca::test
