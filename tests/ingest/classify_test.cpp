// classify(): names-only and header-based records, skips and failures.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/toltec_writer.h"
#include "ingest/classify.h"
#include "ingest/walk.h"
#include "model/error.h"
#include "support/test_support.h"

using namespace tolteca;
using namespace tolteca::ingest;
namespace fs = std::filesystem;

namespace {

Classified names_only(const std::string& rel) { return classify(rel, "/data_lmt/" + rel, FileStat{0, 1}, nullptr); }

sim::NetworkFileSpec vna_spec() {
  sim::NetworkFileSpec s;
  s.obs_type = 2;
  s.master = Master::ics;
  s.roach = 3;
  s.obsnum = 18341;
  s.obs_start = 1731518686;  // 2024-11-13T17:24:46Z
  s.obs_end = 1731518690;
  return s;
}

}  // namespace

TEST(Classify, NamesOnlyNetworkFile) {
  auto c = names_only("toltec/ics/toltec3/toltec3_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc");
  ASSERT_EQ(c.outcome, Outcome::recorded) << c.reason << c.detail;
  const auto& r = c.record;
  EXPECT_EQ(r.uid, "ics-18341-0-0");
  EXPECT_EQ(r.interface, "toltec3");
  EXPECT_EQ(r.roach, 3);
  EXPECT_EQ(r.data_kind, bits(DataKind::VnaSweep));
  EXPECT_TRUE(r.is_raw);
  EXPECT_FALSE(r.reduced);
  EXPECT_EQ(r.obs_start_time, make_utc(2024, 11, 13, 17, 24, 46));
  EXPECT_FALSE(r.header_json.has_value());
  EXPECT_FALSE(r.problem.has_value());
}

TEST(Classify, NamesOnlyTelescopeFileHasNoStartTime) {
  auto c = names_only("tel/tel_toltec_2024-11-13_131289_00_0002.nc");
  ASSERT_EQ(c.outcome, Outcome::recorded);
  EXPECT_EQ(c.record.uid, "tcs-131289-0-2");
  EXPECT_EQ(c.record.data_kind, bits(DataKind::LmtTel));
  // A date-only name says nothing about when the observation started.
  EXPECT_FALSE(c.record.obs_start_time.has_value());
  EXPECT_TRUE(c.record.file_time.has_value());
}

TEST(Classify, ReducedFileBelongsToAReducedProduct) {
  auto c = names_only("toltec/ics/toltec3/toltec3_018341_000_0000_2024_11_13_17_24_46_vnasweep_processed.nc");
  ASSERT_EQ(c.outcome, Outcome::recorded);
  EXPECT_TRUE(c.record.reduced);
  EXPECT_FALSE(c.record.is_raw);
  EXPECT_EQ(c.record.uid, "reduced:ics-18341-0-0");
}

TEST(Classify, SkipsWithReasons) {
  auto link = names_only("toltec/ics/toltec0/toltec0.nc");
  EXPECT_EQ(link.outcome, Outcome::skipped);
  EXPECT_EQ(link.reason, "current-file link");
  auto other = names_only("toltec/ics/toltec0/notes.txt");
  EXPECT_EQ(other.outcome, Outcome::skipped);
  EXPECT_EQ(other.reason, "not a TolTEC name");
  // Names-only and not under toltec/{ics,tcs,clip}/: the master cannot be known.
  auto c = classify("x/toltec3_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc",
                    "/elsewhere/x/toltec3_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc", FileStat{0, 1}, nullptr);
  EXPECT_EQ(c.outcome, Outcome::skipped);
  EXPECT_EQ(c.reason, "master unknown");
}

TEST(Classify, HeaderIsTheAuthority) {
  test::TempDir dir;
  // The header says TargetSweep and obsnum 18342 under a VNA name of 18341: recorded, kind from the header,
  // identity from the name, problem flagged. Outside toltec/{ics,…}/ the header gives the master.
  auto s = vna_spec();
  s.obs_type = 3;
  s.obsnum = 18342;
  s.cal_obsnum = 18340;
  fs::path p = dir / "toltec3_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc";
  sim::write_network_file(p.string(), s);
  auto c = classify_file("x.nc", p.string(), FileStat{1, 2}, true);
  ASSERT_EQ(c.outcome, Outcome::recorded) << c.detail;
  const auto& r = c.record;
  EXPECT_EQ(r.uid, "ics-18341-0-0");
  EXPECT_EQ(r.data_kind, bits(DataKind::TargetSweep));
  ASSERT_TRUE(r.problem.has_value());
  EXPECT_NE(r.problem->find("ObsNum 18342"), std::string::npos) << *r.problem;
  EXPECT_EQ(r.cal_obsnum, 18340);
  EXPECT_EQ(r.cal_subobsnum, 0);
  ASSERT_TRUE(r.header_json.has_value());
  auto j = nlohmann::json::parse(*r.header_json);
  EXPECT_EQ(j["obs_type"], 3);
  EXPECT_EQ(j["file_class"], "network");
}

TEST(Classify, UnreadableHeaderFallsBackToTheName) {
  test::TempDir dir;
  fs::path p = dir / "toltec" / "ics" / "toltec3" / "toltec3_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc";
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "this is not netCDF";
  auto c = classify_file("toltec/ics/toltec3/x.nc", p.string(), FileStat{18, 2}, true);
  EXPECT_EQ(c.outcome, Outcome::failed);
  EXPECT_FALSE(c.reason.empty());
  EXPECT_EQ(c.record.uid, "ics-18341-0-0");
  EXPECT_EQ(c.record.data_kind, bits(DataKind::VnaSweep));
  ASSERT_TRUE(c.record.problem.has_value());
  EXPECT_NE(c.record.problem->find("header unreadable"), std::string::npos);
  // header_json is set (with the error) so that an unchanged file is not re-opened on the next run.
  ASSERT_TRUE(c.record.header_json.has_value());
  EXPECT_TRUE(nlohmann::json::parse(*c.record.header_json).contains("error"));
}

TEST(Classify, TelescopeHeaderGivesTypedMetadata) {
  test::TempDir dir;
  sim::TelFileSpec t;
  t.obsnum = 131289;
  t.scannum = 2;
  t.obs_goal = "Focus";
  t.source_name = "3C273";
  t.az_rad = 3.14159265358979 / 2;
  t.el_rad = 3.14159265358979 / 4;
  t.m2_z = -1.5;
  t.az_user_off = 1.0 / 206264.80624709636;  // 1 arcsec
  t.start_time = 1731524400;
  fs::path p = dir / "tel" / "tel_toltec_2024-11-13_131289_00_0002.nc";
  fs::create_directories(p.parent_path());
  sim::write_tel_file(p.string(), t);
  auto c = classify_file("tel/tel_toltec_2024-11-13_131289_00_0002.nc", p.string(), FileStat{1, 2}, true);
  ASSERT_EQ(c.outcome, Outcome::recorded) << c.detail;
  ASSERT_TRUE(c.record.tel.has_value());
  const auto& m = *c.record.tel;
  EXPECT_EQ(m.origin, "tel_toltec");
  EXPECT_EQ(m.master, "tcs");
  EXPECT_EQ(m.obsnum, 131289);
  EXPECT_EQ(m.scannum, 2);
  EXPECT_EQ(m.obs_goal, "focus");  // compared case-insensitively: stored lower-case
  EXPECT_EQ(m.source_name, "3C273");
  EXPECT_NEAR(*m.az_deg, 90.0, 1e-9);
  EXPECT_NEAR(*m.el_deg, 45.0, 1e-9);
  auto x = nlohmann::json::parse(m.extra_json);
  EXPECT_DOUBLE_EQ(x["m2_z_mm"].get<double>(), -1.5);
  EXPECT_NEAR(x["az_user_off_arcsec"].get<double>(), 1.0, 1e-9);
  EXPECT_EQ(c.record.data_kind, bits(DataKind::LmtTel));
}

TEST(Walk, PatternRecursionAndScope) {
  test::TempDir dir;
  for (auto rel : {"a.nc", "b.txt", "sub/c.nc", "sub/deeper/d.nc", ".hidden/e.nc"}) {
    fs::create_directories((dir / rel).parent_path());
    std::ofstream(dir / rel).flush();
  }
  auto collect = [&](WalkOptions o) {
    std::vector<std::string> got;
    walk_tree(
        dir.str(), o, [&](const WalkedFile& f) { got.emplace_back(f.rel); }, [](auto, auto) {});
    std::sort(got.begin(), got.end());
    return got;
  };
  EXPECT_EQ(collect({"", true}), (std::vector<std::string>{"a.nc", "b.txt", "sub/c.nc", "sub/deeper/d.nc"}));
  EXPECT_EQ(collect({"*.nc", true}), (std::vector<std::string>{"a.nc", "sub/c.nc", "sub/deeper/d.nc"}));
  EXPECT_EQ(collect({"*.nc", false}), (std::vector<std::string>{"a.nc"}));
  EXPECT_EQ(collect({"sub/*.nc", true}), (std::vector<std::string>{"sub/c.nc"}));
  EXPECT_TRUE(in_walk_scope({"*.nc", false}, "a.nc"));
  EXPECT_FALSE(in_walk_scope({"*.nc", false}, "sub/c.nc"));
  EXPECT_FALSE(in_walk_scope({"*.nc", true}, "b.txt"));
  EXPECT_THROW(walk_tree((dir / "a.nc").string(), {}, [](const WalkedFile&) {}, [](auto, auto) {}), UserError);
}
