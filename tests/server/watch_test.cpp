// `serve --watch`: data written as the instruments write it (each file in two steps, the current-file
// links beside them) is registered as it settles, and the final registry (observations with their
// networks, files and cal edges; groups) equals a batch ingest of the finished tree: with inotify,
// with polling, across a kill -9 mid-night, and after an inotify queue overflow.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "server/serve_fixture.h"

namespace tolteca::test {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> files_under(const fs::path& root) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root));
  std::sort(out.begin(), out.end());
  return out;
}

// Copies files [from, to) of src into dst as an instrument writes: the first half, a pause, the rest;
// a network file gets the current-file link toltecN.nc beside it while it is written.
void write_like_instruments(const fs::path& src, const fs::path& dst, const std::vector<fs::path>& files,
                            std::size_t from, std::size_t to) {
  static const std::regex network_dir("toltec([0-9]+)");
  for (std::size_t i = from; i < to && i < files.size(); ++i) {
    const fs::path out = dst / files[i];
    fs::create_directories(out.parent_path());
    const std::string bytes = read_bytes(src / files[i]);
    std::smatch m;
    const std::string dir = out.parent_path().filename().string();
    if (std::regex_match(dir, m, network_dir)) {
      const fs::path link = out.parent_path() / (dir + ".nc");
      fs::remove(link);
      fs::create_symlink(files[i].filename(), link);
    }
    {
      std::ofstream f(out, std::ios::binary);
      f.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
    }
    if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(30));
    std::ofstream f(out, std::ios::binary | std::ios::app);
    f.write(bytes.data() + bytes.size() / 2, static_cast<std::streamsize>(bytes.size() - bytes.size() / 2));
  }
}

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

struct Night {
  TempDir dir;
  fs::path src, live;
  std::string db;
  std::vector<fs::path> files;
  Night() : src(dir / "sim"), live(dir / "data_lmt"), db((dir / "live.duckdb").string()) {
    // Network 3 drops out from the 10th observation on: those observations complete by --settle.
    auto sim = run_cli({"simulate", src.string(), "--scale", "0.1", "--seed", "5", "--drop-network", "3@10"});
    EXPECT_EQ(sim.exit_code, 0) << sim.err;
    files = files_under(src);
    fs::create_directories(live);
  }
  std::vector<std::string> serve_args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = {"--watch", live.string(), "--settle-file", "0.3", "--settle", "2"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  std::int64_t n() const { return static_cast<std::int64_t>(files.size()); }
};

TEST(ServeWatch, InotifyRegistersTheNightAsItIsWrittenAndEndsEqualToABatchIngest) {
  Night night;
  ASSERT_GT(night.n(), 100);
  ServeProcess s(night.db, night.serve_args());
  ASSERT_TRUE(s.ready());
  write_like_instruments(night.src, night.live, night.files, 0, night.files.size() / 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  write_like_instruments(night.src, night.live, night.files, night.files.size() / 2, night.files.size());
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

TEST(ServeWatch, PollingModeEndsEqualToABatchIngest) {
  Night night;
  ServeProcess s(night.db, night.serve_args({"--poll", "0.3"}));
  ASSERT_TRUE(s.ready());
  write_like_instruments(night.src, night.live, night.files, 0, night.files.size());
  const auto h = wait_idle(s, night.n());
  EXPECT_EQ(h["watch"]["roots"][0]["mode"], "poll");
  EXPECT_EQ(s.stop(), 0);
  EXPECT_EQ(registry_view(night.db), batch_view(night.dir, night.live));
}

TEST(ServeWatch, KilledMidNightAndRestartedItCatchesUpAndEndsEqualToABatchIngest) {
  Night night;
  {
    ServeProcess s(night.db, night.serve_args());
    ASSERT_TRUE(s.ready());
    write_like_instruments(night.src, night.live, night.files, 0, night.files.size() / 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(700));  // some batches in, some not
    EXPECT_EQ(s.stop(SIGKILL), 128 + SIGKILL);
  }
  write_like_instruments(night.src, night.live, night.files, night.files.size() / 2, night.files.size());
  ServeProcess s(night.db, night.serve_args());  // finds the stale server file, catches up
  ASSERT_TRUE(s.ready());
  const auto h = wait_idle(s, 0);
  EXPECT_GE(h["watch"]["catch_up_scans"].get<int>(), 1);
  EXPECT_EQ(s.stop(), 0);
  EXPECT_EQ(registry_view(night.db), batch_view(night.dir, night.live));
}

TEST(ServeWatch, AnInotifyQueueOverflowIsCaughtUpByAScan) {
  Night night;
  ServeProcess s(night.db, night.serve_args());
  ASSERT_TRUE(s.ready());
  // The directories first, so that they are watched; then, stopped, the server reads no events: the
  // night plus 20000 other files overflow the kernel's queue (16384 events by default; each file
  // makes at least two).
  for (const auto& f : night.files) fs::create_directories((night.live / f).parent_path());
  fs::create_directories(night.live / "other");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_EQ(::kill(s.pid(), SIGSTOP), 0);
  write_like_instruments(night.src, night.live, night.files, 0, night.files.size());
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
  write_like_instruments(night.src, night.live, night.files, 0, night.files.size());
  wait_idle(s, night.n());
  const auto victim = std::find_if(night.files.begin(), night.files.end(), [](const fs::path& p) {
    return p.filename().string().rfind("toltec", 0) == 0 && p.extension() == ".nc";
  });
  ASSERT_NE(victim, night.files.end());
  fs::remove(night.live / *victim);
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
