// Ingestion's typed errors (ingest/errors.h): the library throws the facts and names no command-line
// flag; the CLI phrases them with its flags, in the words it always used.
#include "ingest/errors.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "ingest/ingest.h"
#include "ingest/ingest_helpers.h"
#include "ingest/prune_guard.h"
#include "model/time_arg.h"
#include "storage/duckdb/admin.h"
#include "storage/duckdb/registry.h"
#include "support/test_support.h"

using namespace tolteca;
using namespace tolteca::ingest;
namespace fs = std::filesystem;

namespace {

bool names_a_flag(const std::exception& e) { return std::string(e.what()).find("--") != std::string::npos; }

template <typename E, typename F>
E thrown(F&& f) {
  try {
    f();
  } catch (const E& e) {
    EXPECT_FALSE(names_a_flag(e)) << e.what();
    return e;
  }
  ADD_FAILURE() << "no " << typeid(E).name() << " thrown";
  throw std::logic_error("not thrown");
}

TEST(IngestErrors, JobsOutOfRangeCarryTheNumberAndTheLimit) {
  auto low = thrown<BadJobs>([] { checked_jobs(-3); });
  EXPECT_EQ(low.jobs, -3);
  auto high = thrown<BadJobs>([] { checked_jobs(kMaxJobs + 1); });
  EXPECT_EQ(high.jobs, kMaxJobs + 1);
  EXPECT_EQ(high.max_jobs, kMaxJobs);
  EXPECT_EQ(checked_jobs(kMaxJobs), kMaxJobs);
}

TEST(IngestErrors, LocationErrorsCarryLabelsAndRoots) {
  test::TempDir dir;
  const fs::path root = dir / "data_lmt";
  test::make_files(root, {"toltec/ics/toltec0/toltec0_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc"});
  auto s = test::create_db(dir / "t.duckdb");
  auto reg = storage::duckdb::borrow(*s);
  // A missing location without a root to create it with.
  auto needs = thrown<LocationNeedsRoot>([&] { resolve_location(*reg, "LMT", "", "", true); });
  EXPECT_EQ(needs.label, "LMT");
  storage::duckdb::upsert_location(*s, "LMT", root.string());
  // Another root given for it.
  auto mismatch = thrown<RootMismatch>([&] { resolve_location(*reg, "LMT", (root / "toltec").string(), "", true); });
  EXPECT_EQ(mismatch.label, "LMT");
  EXPECT_EQ(mismatch.root, root.string());
  EXPECT_EQ(mismatch.given, (root / "toltec").string());
  // A directory outside the root the user named.
  auto outside = thrown<OutsideGivenRoot>([&] { resolve_location(*reg, "LMT", root.string(), dir.str(), true); });
  EXPECT_EQ(outside.dir, dir.str());
  EXPECT_EQ(outside.root, root.string());
  // A root that could only grow to "/".
  storage::duckdb::upsert_location(*s, "far", "/nonexistent_tolteca_root/data_lmt");
  auto grow = thrown<RootCannotGrow>([&] { resolve_location(*reg, "far", "", root.string(), true); });
  EXPECT_EQ(grow.label, "far");
  EXPECT_EQ(grow.why, "their only common ancestor is /");
  // Two locations and no label.
  auto several = thrown<SeveralLocations>([&] { resolve_location(*reg, "", "", root.string(), true); });
  EXPECT_EQ(several.labels.size(), 2u);
  auto unknown = thrown<UnknownLocation>([&] { move_location(*reg, "nosuch", "/x", false); });
  EXPECT_EQ(unknown.label, "nosuch");
}

TEST(IngestErrors, PruneRootRefusalsCarryTheRootAndTheReason) {
  test::TempDir dir;
  fs::create_directories(dir / "empty");
  auto empty = thrown<PruneRootRefused>([&] { check_prune_root((dir / "empty").string()); });
  EXPECT_EQ(empty.root, (dir / "empty").string());
  EXPECT_TRUE(empty.reason.empty());
  auto missing = thrown<PruneRootRefused>([&] { check_prune_root((dir / "absent").string()); });
  EXPECT_EQ(missing.reason, "No such file or directory");
}

TEST(IngestErrors, SiteDbTimeBoundsThatAreNoTimes) {
  test::TempDir dir;
  auto s = test::create_db(dir / "t.duckdb");
  auto reg = storage::duckdb::borrow(*s);
  SiteDbOptions o;
  o.until = "tomorrowish";
  auto bad = thrown<BadTimeBound>([&] { ingest_toltec_db(*reg, (dir / "site.sqlite").string(), o); });
  EXPECT_EQ(bad.bound, BadTimeBound::Bound::until);
  EXPECT_EQ(bad.text, "tomorrowish");
  o.until.clear();
  o.since = "x";
  EXPECT_EQ(thrown<BadTimeBound>([&] { ingest_toltec_db(*reg, (dir / "site.sqlite").string(), o); }).bound,
            BadTimeBound::Bound::since);
}

// The whole stderr line of a failed command.
std::string error_line(const std::vector<std::string>& args) {
  auto r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  return r.err;
}

TEST(IngestErrors, TheCliPhrasesThemWithItsFlags) {
  test::TempDir dir;
  const fs::path root = dir / "data_lmt";
  test::make_files(root, {"toltec/ics/toltec0/toltec0_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc"});
  const std::string db = (dir / "r.duckdb").string();
  EXPECT_EQ(error_line({"ingest", "scan", root.string(), "--jobs", "-3", "--quiet"}),
            "tolteca_db: error: --jobs -3: give a number of worker threads, or 0 for one per core\n");
  EXPECT_EQ(error_line({"ingest", "scan", root.string(), "--jobs", "257", "--quiet"}),
            "tolteca_db: error: --jobs 257 is too many: at most 256 worker threads (each may run a netCDF-4 helper "
            "process); 0 means one per core\n");
  ASSERT_EQ(test::run_cli({"db", "init", "--db", db, "--location", "LMT", "--data-root", root.string()}).exit_code, 0);
  EXPECT_EQ(error_line({"ingest", "directory", root.string(), "--db", db, "-l", "LMT", "--data-root",
                        (root / "toltec").string(), "--quiet"}),
            fmt::format("tolteca_db: error: location LMT has data root {0}, not {0}/toltec; paths are stored relative "
                        "to it (to change it: tolteca_db db location move LMT {0}/toltec)\n",
                        root.string()));
  EXPECT_EQ(error_line({"ingest", "directory", dir.str(), "--db", db, "-l", "LMT", "--data-root", root.string(),
                        "--quiet"}),
            fmt::format("tolteca_db: error: {} is not under the data root {} of location LMT (given with --data-root); "
                        "nothing was written\n",
                        dir.str(), root.string()));
  fs::create_directories(dir / "empty");
  EXPECT_EQ(error_line({"ingest", "directory", (dir / "empty").string(), "--db", db, "--prune", "--quiet"}),
            fmt::format("tolteca_db: error: refusing --prune: {} is empty (is the data root mounted?); pruning would "
                        "mark every file under it missing; nothing was marked (give --force to prune anyway)\n",
                        (dir / "empty").string()));
  ASSERT_EQ(test::run_cli({"db", "location", "add", "far", "/nonexistent_tolteca_root/data_lmt", "--db", db}).exit_code,
            0);
  EXPECT_EQ(error_line({"ingest", "directory", root.string(), "--db", db, "--quiet"}),
            "tolteca_db: error: the database has several locations (LMT, far); choose one with --location\n");
  EXPECT_EQ(error_line({"ingest", "directory", root.string(), "--db", db, "-l", "far", "--quiet"}),
            fmt::format("tolteca_db: error: {} is not under the data root /nonexistent_tolteca_root/data_lmt of "
                        "location far, and their only common ancestor is /; nothing was written. Ingest it into "
                        "another location (--location NAME creates one), or re-root with 'tolteca_db db location "
                        "move far NEWROOT'\n",
                        root.string()));
  EXPECT_EQ(error_line({"ingest", "toltec-db", (dir / "site.sqlite").string(), "--db", db, "-l", "LMT", "--since",
                        "bogus", "--quiet"}),
            fmt::format("tolteca_db: error: --since 'bogus': not a time; expected {}\n", time_arg_forms()));
}

}  // namespace
