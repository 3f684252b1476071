// The site database watcher's watermark (watch/site_db_watch.h): a poll reads from the lowest row
// still being written, or after the highest seen; a row that stays Valid = 0 too long stops holding
// it; a full pass reads every row again; what the polls record is what one ingest of the finished
// database records.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "sim/simulator.h"
#include "storage/open.h"
#include "storage/registry.h"
#include "support/test_support.h"
#include "watch/site_db_watch.h"

namespace tolteca::test {
namespace {

void sql(const std::string& db, const std::string& statement) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(h, statement.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(h);
}

std::int64_t max_id(const std::string& db) {
  sqlite3* h = nullptr;
  EXPECT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  std::int64_t id = 0;
  sqlite3_exec(
      h, "SELECT MAX(id) FROM toltec",
      [](void* out, int, char** v, char**) {
        *static_cast<std::int64_t*>(out) = std::stoll(v[0]);
        return 0;
      },
      &id, nullptr);
  sqlite3_close(h);
  return id;
}

struct SiteNight {
  TempDir dir;
  std::string site = (dir / "site.sqlite").string(), data = (dir / "data_lmt").string();
  std::int64_t rows = 0;
  SiteNight() {
    sim::SimOptions o;
    o.seed = 11;
    o.scale = 0.1;
    o.toltec_db_path = site;
    sim::write_archive(sim::make_plan(o), data);
    rows = max_id(site);
  }
  std::unique_ptr<storage::Registry> registry(const std::string& name) const {
    storage::OpenOptions oo;
    oo.mode = storage::OpenMode::Create;
    return storage::open_registry("duckdb:///" + (dir / name).string(), oo);
  }
  watch::SiteDbWatch watcher() const {
    watch::SiteDbWatchOptions w;
    w.source = site;
    w.data_root = data;
    w.open_seconds = 60;
    w.full_pass_seconds = 600;
    return watch::SiteDbWatch(w);
  }
};

TEST(SiteDbWatch, PollsReadFromTheLowestOpenRowAndEndAsOneIngestOfTheFinishedDatabase) {
  SiteNight night;
  ASSERT_GT(night.rows, 100);
  const std::int64_t half = night.rows / 2;
  sql(night.site, "UPDATE toltec SET Valid = 0 WHERE id > " + std::to_string(half));
  auto reg = night.registry("live.duckdb");
  auto w = night.watcher();
  const auto t0 = watch::Clock::now();
  EXPECT_EQ(w.next_from_id(t0), 0);  // the first poll is a full pass
  const auto first = w.poll(*reg, t0);
  EXPECT_GT(first.new_files, 0);
  EXPECT_EQ(w.full_passes(), 1);
  EXPECT_EQ(w.next_from_id(t0), half + 1);  // the first row still being written
  // A quarter more complete: read from the watermark, which moves to the next open row.
  sql(night.site, "UPDATE toltec SET Valid = 1 WHERE id <= " + std::to_string(half + night.rows / 4));
  const auto second = w.poll(*reg, watch::after(t0, 2));
  EXPECT_GT(second.new_files, 0);
  EXPECT_EQ(w.next_from_id(watch::after(t0, 2)), half + night.rows / 4 + 1);
  EXPECT_EQ(w.full_passes(), 1);
  // Everything complete: the watermark passes the highest id; nothing more to read.
  sql(night.site, "UPDATE toltec SET Valid = 1");
  const auto third = w.poll(*reg, watch::after(t0, 4));
  EXPECT_GT(third.new_files, 0);
  EXPECT_EQ(w.next_from_id(watch::after(t0, 4)), night.rows + 1);
  const auto idle = w.poll(*reg, watch::after(t0, 6));
  EXPECT_EQ(idle.new_files + idle.updated, 0);
  EXPECT_EQ(idle.unchanged, 0);  // no row read again

  auto batch = night.registry("batch.duckdb");
  ingest::SiteDbOptions so;
  so.data_root = night.data;
  const auto all = ingest::ingest_toltec_db(*batch, night.site, so);
  EXPECT_EQ(first.new_files + second.new_files + third.new_files, all.new_files);
}

TEST(SiteDbWatch, ARowOpenTooLongStopsHoldingTheWatermarkAndAFullPassStillRecordsItLate) {
  SiteNight night;
  sql(night.site, "UPDATE toltec SET Valid = 0 WHERE id = 5");  // a file that never completes (yet)
  auto reg = night.registry("live.duckdb");
  auto w = night.watcher();
  const auto t0 = watch::Clock::now();
  w.poll(*reg, t0);
  EXPECT_EQ(w.next_from_id(t0), 5);
  w.poll(*reg, watch::after(t0, 30));
  EXPECT_EQ(w.next_from_id(watch::after(t0, 30)), 5);  // still held: open for 30 s < 60 s
  w.poll(*reg, watch::after(t0, 61));
  EXPECT_EQ(w.next_from_id(watch::after(t0, 61)), night.rows + 1);  // let go
  sql(night.site, "UPDATE toltec SET Valid = 1 WHERE id = 5");
  const auto before_full = w.poll(*reg, watch::after(t0, 100));
  EXPECT_EQ(before_full.new_files, 0);  // not read: below the watermark
  EXPECT_EQ(w.next_from_id(watch::after(t0, 601)), 0);
  const auto full = w.poll(*reg, watch::after(t0, 601));
  EXPECT_EQ(full.new_files, 1);  // the late row, by the full pass
  EXPECT_EQ(w.full_passes(), 2);
}

}  // namespace
}  // namespace tolteca::test
