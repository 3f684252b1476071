// ingest_directory / ingest_files against a real DuckDB file: counts,
// idempotence, order independence, telescope metadata inheritance, prune,
// changed files, failures.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "storage/duckdb/registry.h"
#include <sys/stat.h>
#include <utime.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "sim/toltec_writer.h"
#include "storage/duckdb/admin.h"
#include "ingest/ingest.h"
#include "ingest/ingest_helpers.h"
#include "model/error.h"
#include "support/test_support.h"

using namespace tolteca;
using namespace tolteca::ingest;
namespace fs = std::filesystem;

namespace {

// A night in miniature: an ics VNA (2 networks) -> target sweep (cal 18341) with a reduced file,
// a tcs obsnum with a tune (scan 1, no tel file) and a timestream (scan 2, tel file).
const std::vector<std::string> kNight = {
    "toltec/ics/toltec0/toltec0_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc",
    "toltec/ics/toltec1/toltec1_018341_000_0000_2024_11_13_17_24_45_vnasweep.nc",
    "toltec/ics/toltec0/toltec0_018342_000_0000_2024_11_13_17_30_00_targsweep.nc",
    "toltec/ics/toltec1/toltec1_018342_000_0000_2024_11_13_17_30_01_targsweep.nc",
    "toltec/ics/toltec0/toltec0_018342_000_0000_2024_11_13_17_30_00_targsweep_processed.nc",
    "toltec/tcs/toltec0/toltec0_131289_000_0001_2024_11_13_19_00_00_tune.nc",
    "toltec/tcs/toltec0/toltec0_131289_000_0002_2024_11_13_19_01_00.nc",
    "toltec/tcs/hwpr/hwpr_131289_000_0002_2024_11_13_19_01_02.nc",
    "tel/tel_toltec_2024-11-13_131289_00_0002.nc",
    "toltec/ics/toltec0/toltec0.nc",
    "README",
};

IngestOptions names_only(std::size_t batch = 20000) {
  IngestOptions o;
  o.read_headers = false;
  o.batch_size = batch;
  o.jobs = 2;
  return o;
}

std::int64_t scalar(storage::duckdb::Session& s, const std::string& sql) { return s.con().scalar_int(sql).value_or(-1); }

}  // namespace

TEST(Ingest, NamesOnlyNight) {
  test::TempDir dir;
  fs::path root = dir / "data_lmt";
  test::make_files(root, kNight);
  auto s = test::create_db(dir / "t.duckdb");
  auto sum = ingest_directory(*storage::duckdb::borrow(*s), root.string(), names_only());
  EXPECT_EQ(sum.scanned, 11);
  EXPECT_EQ(sum.new_files, 9);
  EXPECT_EQ(sum.skipped, 2);
  EXPECT_EQ(sum.skipped_reasons.at("current-file link"), 1);
  EXPECT_EQ(sum.skipped_reasons.at("not a TolTEC name"), 1);
  EXPECT_EQ(sum.failed, 0);
  EXPECT_EQ(sum.raw_obs_created, 4);
  EXPECT_TRUE(sum.location_created);
  EXPECT_EQ(sum.location, "local");

  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM products WHERE product_type = 'dp_raw_obs'"), 4);
  EXPECT_EQ(scalar(*s, "SELECT data_kind FROM products WHERE uid = 'ics-18341-0-0'"), 1);
  // Earliest file timestamp of the observation.
  EXPECT_EQ(*s->con().scalar_string("SELECT obs_start_time::VARCHAR FROM products WHERE uid = 'ics-18341-0-0'"),
            "2024-11-13 17:24:45");
  // Telescope file + timestream + hwpr (timestream) -> LmtTel | RawTimeStream.
  EXPECT_EQ(scalar(*s, "SELECT data_kind FROM products WHERE uid = 'tcs-131289-0-2'"), 8 | 16);
  EXPECT_EQ(*s->con().scalar_string("SELECT obs_start_time::VARCHAR FROM products WHERE uid = 'tcs-131289-0-2'"),
            "2024-11-13 19:01:00");
  // Reduced file -> dp_reduced_obs linked to its raw observation.
  EXPECT_EQ(scalar(*s,
                   "SELECT count(*) FROM edges e JOIN products r ON r.id = e.src_product_id JOIN products w ON "
                   "w.id = e.dst_product_id WHERE e.assoc_type = 'dpa_reduced_obs_raw_obs' AND r.uid = "
                   "'reduced:ics-18342-0-0' AND w.uid = 'ics-18342-0-0'"),
            1);
  // Paths relative to the data root; every raw observation has an ingest_seq.
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM sources WHERE rel_path LIKE '/%'"), 0);
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM products WHERE product_type = 'dp_raw_obs' AND ingest_seq IS NULL"), 0);
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM events WHERE kind = 'ingest'"), 1);
}

TEST(Ingest, SecondRunIsAllUnchangedAndWritesNothing) {
  test::TempDir dir;
  fs::path root = dir / "data_lmt";
  test::make_files(root, kNight);
  auto s = test::create_db(dir / "t.duckdb");
  ingest_directory(*storage::duckdb::borrow(*s), root.string(), names_only());
  auto before = test::canonical_state(s->con());
  auto seq_before = test::rows_of(s->con(), "SELECT uid, ingest_seq FROM products");
  auto sum = ingest_directory(*storage::duckdb::borrow(*s), root.string(), names_only());
  EXPECT_EQ(sum.unchanged, 9);
  EXPECT_EQ(sum.new_files + sum.updated + sum.failed, 0);
  EXPECT_EQ(sum.raw_obs_created + sum.raw_obs_updated, 0);
  EXPECT_EQ(sum.batches, 0);
  EXPECT_EQ(test::canonical_state(s->con()), before);
  EXPECT_EQ(test::rows_of(s->con(), "SELECT uid, ingest_seq FROM products"), seq_before);
}

TEST(Ingest, ResultDoesNotDependOnOrderOrBatches) {
  // Property: ingesting the files in any split into runs, in any order, with any batch size gives
  // the same state as ingesting them all at once.
  test::TempDir dir;
  fs::path root = dir / "data_lmt";
  std::vector<std::string> files;
  for (int o = 0; o < 6; ++o)
    for (int n = 0; n < 3; ++n)
      files.push_back(fmt::format("toltec/ics/toltec{}/toltec{}_0183{:02}_000_0000_2024_11_13_17_{:02}_{:02}_{}.nc", n, n,
                                  40 + o, 20 + o, 10 + n * 7, o % 2 ? "targsweep" : "vnasweep"));
  files.push_back("toltec/ics/toltec0/toltec0_018340_000_0000_2024_11_13_17_20_10_vnasweep_processed.nc");
  files.push_back("toltec/tcs/toltec0/toltec0_131289_000_0001_2024_11_13_19_00_00_tune.nc");
  files.push_back("toltec/tcs/toltec1/toltec1_131289_000_0002_2024_11_13_19_01_00.nc");
  files.push_back("tel/tel_toltec_2024-11-13_131289_00_0002.nc");
  test::make_files(root, files);
  auto ref_db = test::create_db(dir / "ref.duckdb");
  ingest_directory(*storage::duckdb::borrow(*ref_db), root.string(), names_only());
  auto reference = test::canonical_state(ref_db->con());

  std::mt19937 rng(7);
  for (int trial = 0; trial < 4; ++trial) {
    auto order = files;
    std::shuffle(order.begin(), order.end(), rng);
    auto s = test::create_db(dir / fmt::format("t{}.duckdb", trial));
    IngestOptions o = names_only(1 + trial * 3);
    o.data_root = root.string();
    o.location = "local";
    // Ingest in three chunks of files, each through `ingest file`.
    std::size_t third = order.size() / 3;
    for (std::size_t start = 0; start < order.size(); start += third) {
      std::vector<std::string> part;
      for (std::size_t i = start; i < std::min(order.size(), start + third); ++i) part.push_back((root / order[i]).string());
      ingest_files(*storage::duckdb::borrow(*s), part, o);
    }
    EXPECT_EQ(test::canonical_state(s->con()), reference) << "trial " << trial;
  }
}

TEST(Ingest, TelescopeMetadataAppliesToTheWholeObsnumInAnyOrder) {
  test::TempDir dir;
  fs::path root = dir / "data_lmt";
  sim::TelFileSpec t;
  t.obsnum = 131289;
  t.scannum = 2;
  t.obs_goal = "Focus";
  t.source_name = "3C273";
  t.m2_z = 1.25;
  fs::create_directories(root / "tel");
  sim::write_tel_file((root / "tel/tel_toltec_2024-11-13_131289_00_0002.nc").string(), t);
  t.scannum = 3;
  t.m2_z = 1.5;
  sim::write_tel_file((root / "tel/tel_toltec_2024-11-13_131289_00_0003.nc").string(), t);
  std::vector<std::string> net = {"toltec/tcs/toltec0/toltec0_131289_000_0001_2024_11_13_19_00_00_tune.nc",
                                  "toltec/tcs/toltec0/toltec0_131289_000_0002_2024_11_13_19_01_00.nc",
                                  "toltec/tcs/toltec0/toltec0_131289_000_0003_2024_11_13_19_02_00.nc"};
  for (const auto& n : net) {
    sim::NetworkFileSpec s;
    s.master = Master::tcs;
    s.obsnum = 131289;
    s.scannum = n.find("_0001_") != std::string::npos ? 1 : (n.find("_0002_") != std::string::npos ? 2 : 3);
    s.obs_type = s.scannum == 1 ? 4 : 0;
    s.obs_start = 1731524400 + 60 * (s.scannum - 1);
    fs::create_directories((root / n).parent_path());
    sim::write_network_file((root / n).string(), s);
  }
  IngestOptions o;
  o.jobs = 2;
  o.location = "LMT";
  o.data_root = root.string();
  // Order 1: network files first, telescope files later.
  auto a = test::create_db(dir / "a.duckdb");
  ingest_files(*storage::duckdb::borrow(*a), {(root / net[0]).string(), (root / net[1]).string(), (root / net[2]).string()}, o);
  ingest_files(*storage::duckdb::borrow(*a), {(root / "tel/tel_toltec_2024-11-13_131289_00_0003.nc").string()}, o);
  ingest_files(*storage::duckdb::borrow(*a), {(root / "tel/tel_toltec_2024-11-13_131289_00_0002.nc").string()}, o);
  // Order 2: everything at once.
  auto b = test::create_db(dir / "b.duckdb");
  ingest_directory(*storage::duckdb::borrow(*b), root.string(), o);
  EXPECT_EQ(test::canonical_state(a->con()), test::canonical_state(b->con()));
  for (auto* s : {a.get(), b.get()}) {
    // Each scan with its own tel file has its own settings; the tune (scan 1, no tel file) inherits
    // from the obsnum's lowest scan with one (scan 2).
    EXPECT_EQ(test::rows_of(s->con(),
                            "SELECT uid, obs_goal, source_name, meta->>'tel_from', (meta->'tel'->>'m2_z_mm') FROM "
                            "products WHERE product_type = 'dp_raw_obs' ORDER BY uid"),
              (std::vector<std::string>{"tcs-131289-0-1|focus|3C273|tcs-131289-0-2|1.25",
                                        "tcs-131289-0-2|focus|3C273|tcs-131289-0-2|1.25",
                                        "tcs-131289-0-3|focus|3C273|tcs-131289-0-3|1.5"}));
    EXPECT_EQ(scalar(*s, "SELECT data_kind FROM products WHERE uid = 'tcs-131289-0-1'"), 4);
    EXPECT_EQ(scalar(*s, "SELECT data_kind FROM products WHERE uid = 'tcs-131289-0-3'"), 8 | 16);
  }
}

TEST(Ingest, ChangedFilesAreReReadAndBumpIngestSeq) {
  test::TempDir dir;
  fs::path root = dir / "data_lmt";
  test::make_files(root, kNight);
  auto s = test::create_db(dir / "t.duckdb");
  ingest_directory(*storage::duckdb::borrow(*s), root.string(), names_only());
  auto seq = [&](const char* uid) {
    return scalar(*s, fmt::format("SELECT ingest_seq FROM products WHERE uid = '{}'", uid));
  };
  auto before = seq("ics-18341-0-0");
  auto other = seq("ics-18342-0-0");
  fs::path f = root / kNight[0];
  std::ofstream(f, std::ios::app) << "grown";
  auto sum = ingest_directory(*storage::duckdb::borrow(*s), root.string(), names_only());
  EXPECT_EQ(sum.updated, 1);
  EXPECT_EQ(sum.unchanged, 8);
  EXPECT_EQ(sum.raw_obs_updated, 1);
  EXPECT_GT(seq("ics-18341-0-0"), before);
  EXPECT_EQ(seq("ics-18342-0-0"), other);
  EXPECT_EQ(scalar(*s, fmt::format("SELECT size FROM sources WHERE rel_path = '{}'", kNight[0])), 5);
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM sources"), 9);  // updated in place, not duplicated
}

TEST(Ingest, PruneMarksVanishedFilesMissingAndTheyComeBack) {
  test::TempDir dir;
  fs::path root = dir / "data_lmt";
  test::make_files(root, kNight);
  auto s = test::create_db(dir / "t.duckdb");
  ingest_directory(*storage::duckdb::borrow(*s), root.string(), names_only());
  auto before = scalar(*s, "SELECT ingest_seq FROM products WHERE uid = 'ics-18341-0-0'");
  fs::remove(root / kNight[1]);
  // Without --prune nothing is marked.
  auto sum = ingest_directory(*storage::duckdb::borrow(*s), root.string(), names_only());
  EXPECT_EQ(sum.missing, 0);
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM sources WHERE availability = 'missing'"), 0);
  IngestOptions o = names_only();
  o.prune = true;
  // Pruning a subtree only looks at that subtree.
  sum = ingest_directory(*storage::duckdb::borrow(*s), (root / "toltec/tcs").string(), o);
  EXPECT_EQ(sum.missing, 0);
  sum = ingest_directory(*storage::duckdb::borrow(*s), root.string(), o);
  EXPECT_EQ(sum.missing, 1);
  EXPECT_EQ(sum.raw_obs_updated, 1);
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM sources WHERE availability = 'missing'"), 1);
  EXPECT_GT(scalar(*s, "SELECT ingest_seq FROM products WHERE uid = 'ics-18341-0-0'"), before);
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM events WHERE kind = 'prune'"), 1);
  // The kind stays: the observation had the file.
  EXPECT_EQ(scalar(*s, "SELECT data_kind FROM products WHERE uid = 'ics-18341-0-0'"), 1);
  // Pruning again changes nothing; the file coming back makes it available again.
  EXPECT_EQ(ingest_directory(*storage::duckdb::borrow(*s), root.string(), o).missing, 0);
  test::touch(root / kNight[1]);
  sum = ingest_directory(*storage::duckdb::borrow(*s), root.string(), o);
  EXPECT_EQ(sum.updated, 1);
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM sources WHERE availability = 'missing'"), 0);
}

TEST(Ingest, HeadersModeRecordsFailuresAndUpgradesNamesOnlyRows) {
  test::TempDir dir;
  fs::path root = dir / "data_lmt";
  fs::path good = root / "toltec/ics/toltec0/toltec0_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc";
  fs::path bad = root / "toltec/ics/toltec1/toltec1_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc";
  fs::create_directories(good.parent_path());
  fs::create_directories(bad.parent_path());
  sim::NetworkFileSpec spec;
  spec.obs_type = 2;
  spec.master = Master::ics;
  spec.obsnum = 18341;
  spec.obs_start = 1731518680;  // 6 s before the name's timestamp
  sim::write_network_file(good.string(), spec);
  std::ofstream(bad) << "truncated garbage";
  auto s = test::create_db(dir / "t.duckdb");
  ingest_directory(*storage::duckdb::borrow(*s), root.string(), names_only());
  EXPECT_EQ(*s->con().scalar_string("SELECT obs_start_time::VARCHAR FROM products"), "2024-11-13 17:24:46");

  IngestOptions o;
  o.jobs = 2;
  auto sum = ingest_directory(*storage::duckdb::borrow(*s), root.string(), o);
  // Names-only rows are re-read once headers are wanted.
  EXPECT_EQ(sum.updated, 1);
  EXPECT_EQ(sum.failed, 1);
  EXPECT_EQ(sum.failed_reasons.size(), 1u);
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM events WHERE kind = 'failed'"), 1);
  // The unreadable file is still recorded (kind from its name), flagged.
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM sources WHERE problem LIKE 'header unreadable%'"), 1);
  EXPECT_EQ(*s->con().scalar_string("SELECT obs_start_time::VARCHAR FROM products"), "2024-11-13 17:24:40");
  // Third run: nothing re-opened, all unchanged (the failure is not retried until the file changes).
  sum = ingest_directory(*storage::duckdb::borrow(*s), root.string(), o);
  EXPECT_EQ(sum.unchanged, 2);
  EXPECT_EQ(sum.failed, 0);
}

TEST(Ingest, DryRunWritesNothing) {
  test::TempDir dir;
  fs::path root = dir / "data_lmt";
  test::make_files(root, kNight);
  auto s = test::create_db(dir / "t.duckdb");
  auto before = test::canonical_state(s->con());
  IngestOptions o = names_only();
  o.dry_run = true;
  auto sum = ingest_directory(*storage::duckdb::borrow(*s), root.string(), o);
  EXPECT_EQ(sum.new_files, 9);
  EXPECT_EQ(sum.raw_obs_created, 4);
  EXPECT_EQ(test::canonical_state(s->con()), before);
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM locations"), 0);
}

TEST(Ingest, LocationsAndRoots) {
  test::TempDir dir;
  fs::path root = dir / "data_lmt";
  test::make_files(root, kNight);
  auto s = test::create_db(dir / "t.duckdb");
  IngestOptions o = names_only();
  o.location = "LMT";
  o.data_root = root.string();
  // A subtree of the data root: paths stay relative to the root, the master comes from the directories.
  auto sum = ingest_directory(*storage::duckdb::borrow(*s), (root / "toltec/ics").string(), o);
  EXPECT_EQ(sum.new_files, 5);
  EXPECT_EQ(scalar(*s, "SELECT count(*) FROM sources WHERE rel_path LIKE 'toltec/ics/%'"), 5);
  // Outside the root: refused. A different root for the same label: refused.
  EXPECT_THROW(ingest_directory(*storage::duckdb::borrow(*s), dir.str(), o), UserError);
  o.data_root = (root / "toltec").string();
  EXPECT_THROW(ingest_directory(*storage::duckdb::borrow(*s), (root / "toltec").string(), o), UserError);
  // Two locations: a label is required.
  storage::duckdb::upsert_location(*s, "backup", "/nonexistent");
  IngestOptions none = names_only();
  EXPECT_THROW(ingest_directory(*storage::duckdb::borrow(*s), root.string(), none), UserError);
}
