// `simulate --live` (sim/live_writer.h): the finished tree is the batch writer's, byte for byte, plus
// the current-file links; the site database ends with the batch writer's rows; while a night is
// written, a file grows in steps, its link points at it and its row is Valid 0 until it is complete.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "model/error.h"
#include "sim/live_writer.h"
#include "sim/simulator.h"
#include "support/test_support.h"

namespace tolteca::test {
namespace {

namespace fs = std::filesystem;
using sim::SimFileType;

// Relative path -> bytes of every regular file; the links apart (relative path -> target).
struct Tree {
  std::map<std::string, std::string> files, links;
};

Tree read_tree(const fs::path& root) {
  Tree t;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const std::string rel = e.path().lexically_relative(root).string();  // fs::relative follows links
    if (e.is_symlink())
      t.links[rel] = fs::read_symlink(e.path()).string();
    else if (e.is_regular_file())
      t.files[rel] = read_bytes(e.path());
  }
  return t;
}

// The site database's rows (all columns but the id), sorted, and its journal mode.
std::pair<std::multiset<std::string>, std::string> site_rows(const fs::path& db) {
  sqlite3* h = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::multiset<std::string> rows;
  std::string mode;
  auto collect = [](void* out, int n, char** values, char**) {
    std::string row;
    for (int i = 0; i < n; ++i) row += std::string(values[i] ? values[i] : "NULL") + "|";
    static_cast<std::multiset<std::string>*>(out)->insert(row);
    return 0;
  };
  sqlite3_exec(h,
               "SELECT Date, Time, RoachIndex, HostName, ObsType, Master, RepeatLevel, ObsNum, SubObsNum, ScanNum, "
               "TargSweepObsNum, TargSweepSubObsNum, TargSweepScanNum, FileName, Valid FROM toltec",
               collect, &rows, nullptr);
  std::multiset<std::string> m;
  sqlite3_exec(h, "PRAGMA journal_mode", collect, &m, nullptr);
  if (!m.empty()) mode = m.begin()->substr(0, m.begin()->size() - 1);
  sqlite3_close(h);
  return {rows, mode};
}

sim::SimPlan plan(const fs::path& site_db, bool bad_files) {
  sim::SimOptions o;
  o.seed = 3;
  o.scale = 0.1;
  o.bad_files = bad_files;
  o.reduced = bad_files;
  o.dropout_network = 3;
  o.dropout_from_obs = 10;
  o.toltec_db_path = site_db.string();
  return sim::make_plan(o);
}

void expect_live_equals_batch(bool bad_files) {
  TempDir dir;
  const auto batch = plan(dir / "batch.sqlite", bad_files), live = plan(dir / "live.sqlite", bad_files);
  sim::write_archive(batch, (dir / "batch").string());
  std::int64_t progress_calls = 0, last_done = 0;
  sim::LiveOptions o;
  o.speed = 100000;
  o.progress = [&](const sim::LiveProgress& p) {
    ++progress_calls;
    EXPECT_EQ(p.files_done, last_done + 1);
    EXPECT_EQ(p.files_total, static_cast<std::int64_t>(live.files.size()));
    last_done = p.files_done;
  };
  const auto st = sim::write_archive_live(live, (dir / "live").string(), false, o);
  EXPECT_EQ(st.files, static_cast<std::int64_t>(live.files.size()));
  EXPECT_EQ(progress_calls, st.files);

  const Tree b = read_tree(dir / "batch"), l = read_tree(dir / "live");
  EXPECT_EQ(l.files, b.files);  // same names, same bytes
  // Every network directory has its current-file link, pointing at a file of that directory.
  std::set<std::string> network_dirs;
  for (const auto& f : live.files)
    if (f.type == SimFileType::network) network_dirs.insert(fs::path(f.path).parent_path().string());
  EXPECT_EQ(l.links.size(), network_dirs.size());
  for (const auto& [rel, target] : l.links) {
    const fs::path dir_of = fs::path(rel).parent_path();
    EXPECT_EQ(rel, (dir_of / (dir_of.filename().string() + ".nc")).string());
    EXPECT_TRUE(b.files.count((dir_of / target).string())) << rel << " -> " << target;
  }
  for (const auto& [rel, target] : b.links) EXPECT_TRUE(l.links.count(rel)) << rel;  // the bad case's link
  const auto [brows, bmode] = site_rows(dir / "batch.sqlite");
  const auto [lrows, lmode] = site_rows(dir / "live.sqlite");
  EXPECT_EQ(lrows, brows);
  EXPECT_FALSE(lrows.empty());
  EXPECT_EQ(lmode, "wal");
}

TEST(LiveWriter, TheFinishedTreeAndSiteDatabaseAreTheBatchWritersPlusTheLinks) { expect_live_equals_batch(false); }

TEST(LiveWriter, WithBadFilesAndReductionProductsToo) { expect_live_equals_batch(true); }

// Watches the first network file while the night is written at 100x: it appears small, grows in
// several steps to its final size, its directory's link points at it while it grows, and its site
// row says Valid 0 until it is complete, then 1.
TEST(LiveWriter, AFileGrowsInStepsWithItsLinkAndItsRowTurnsValidWhenComplete) {
  TempDir dir;
  const auto p = plan(dir / "site.sqlite", false);
  const auto first = std::find_if(p.files.begin(), p.files.end(), [](const sim::SimFile& f) {
    return f.type == SimFileType::network && f.net.obs_end - f.net.obs_start >= 10;
  });
  ASSERT_NE(first, p.files.end());
  const fs::path root = dir / "live", file = root / first->path;
  const fs::path link = file.parent_path() / (file.parent_path().filename().string() + ".nc");
  std::uintmax_t final_size = 0;
  {
    TempDir scratch;
    auto batch = p;
    batch.options.toltec_db_path.clear();
    sim::write_archive(batch, (scratch / "batch").string());
    final_size = fs::file_size(scratch / "batch" / first->path);
  }
  std::atomic<bool> done{false}, stop{false};
  sim::LiveOptions o;
  o.speed = 100;
  o.stop = [&] { return stop.load(); };
  std::thread writer([&] {
    sim::write_archive_live(p, root.string(), false, o);
    done = true;
  });
  std::set<std::uintmax_t> sizes;
  std::set<std::string> valid_while_growing, valid_after;
  bool link_seen = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done && std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (!ec) {
      sizes.insert(size);
      if (fs::read_symlink(link, ec) == file.filename() && !ec) link_seen = true;
      sqlite3* h = nullptr;
      if (sqlite3_open_v2((dir / "site.sqlite").c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        std::string valid;
        const std::string sql = "SELECT Valid FROM toltec WHERE FileName = '/data_lmt/" + first->path + "'";
        sqlite3_exec(
            h, sql.c_str(),
            [](void* out, int, char** v, char**) {
              *static_cast<std::string*>(out) = v[0] ? v[0] : "";
              return 0;
            },
            &valid, nullptr);
        sqlite3_close(h);
        // The row is read after the size: a row still 0 is fine once complete, a 1 before is not.
        if (!valid.empty()) (size < final_size ? valid_while_growing : valid_after).insert(valid);
      }
      if (size == final_size && valid_after.count("1")) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  writer.join();
  EXPECT_GE(sizes.size(), 3u) << "sizes seen: " << sizes.size();
  EXPECT_EQ(*sizes.rbegin(), final_size);
  EXPECT_TRUE(link_seen);
  EXPECT_EQ(valid_while_growing, std::set<std::string>{"0"});
  EXPECT_TRUE(valid_after.count("1"));
}

TEST(LiveWriter, ASpeedThatIsNotPositiveIsRefusedBeforeAnythingIsWritten) {
  TempDir dir;
  const auto p = plan(dir / "site.sqlite", false);
  for (double speed : {0.0, -1.0}) {
    sim::LiveOptions o;
    o.speed = speed;
    EXPECT_THROW(sim::write_archive_live(p, (dir / "out").string(), false, o), UserError);
  }
  EXPECT_FALSE(fs::exists(dir / "out"));
  EXPECT_FALSE(fs::exists(dir / "site.sqlite"));
}

}  // namespace
}  // namespace tolteca::test
