// Unit tests of the input checks of issue 12: range checks (model/bounds.h), lexical path
// normalisation (model/rel_path.h), site FileName mapping and site-row classification
// (ingest/site_rows.h), and the layout check (files/layout.h).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "files/filename.h"
#include "files/layout.h"
#include "ingest/ingest.h"
#include "ingest/site_rows.h"
#include "model/bounds.h"
#include "model/master.h"
#include "model/rel_path.h"

using namespace tolteca;

namespace {

const UnixMicros kNow = *make_utc(2026, 12, 1);

TEST(Bounds, IntegersOutsideTheirRangeAreProblemsNotValues) {
  std::vector<std::string> p;
  EXPECT_EQ(bounds::check_int(std::int64_t{7}, "X", 0, 12, p), 7);
  EXPECT_EQ(bounds::check_int(std::nullopt, "X", 0, 12, p), std::nullopt);
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(bounds::check_int(std::int64_t{1} << 32, "SubObsNum", 0, bounds::kMaxSubObsNum, p), std::nullopt);
  EXPECT_EQ(bounds::check_int(std::int64_t{-5}, "ObsNum", 0, bounds::kMaxObsNum, p), std::nullopt);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0], "SubObsNum 4294967296 is out of range 0..999999999");
  EXPECT_EQ(p[1], "ObsNum -5 is out of range 0..999999999");
  static_assert(bounds::kMaxSubObsNum <= std::numeric_limits<std::int32_t>::max());
}

TEST(Bounds, CodesBeyondIntRangeDoNotWrapIntoValidCodes) {
  EXPECT_EQ(master_from_code((std::int64_t{1} << 32) + 1), std::nullopt);  // (int) would be 1 = ics
  EXPECT_EQ(master_from_code(1), Master::ics);
  EXPECT_EQ(data_kind_from_obs_type((std::int64_t{1} << 32) + 2), std::nullopt);  // (int) would be 2 = VNA
}

TEST(Bounds, NonFiniteNumbersAreProblems) {
  std::vector<std::string> p;
  EXPECT_EQ(bounds::check_finite(0.25, "Tau", p), 0.25);
  EXPECT_EQ(bounds::check_finite(std::nan(""), "Header.Radiometer.Tau", p), std::nullopt);
  EXPECT_EQ(bounds::check_finite(-INFINITY, "F", p), std::nullopt);
  EXPECT_EQ(bounds::check_at_least(-0.1, "Tau", 0, false, p), std::nullopt);
  EXPECT_EQ(bounds::check_at_least(0.0, "SampleFreq", 0, true, p), std::nullopt);
  EXPECT_EQ(bounds::check_at_least(0.0, "Tau", 0, false, p), 0.0);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0], "Header.Radiometer.Tau is NaN (not a finite number)");
  EXPECT_EQ(p[1], "F is -inf (not a finite number)");
  EXPECT_EQ(p[2], "Tau -0.1 is out of range (must be >= 0)");
  EXPECT_EQ(p[3], "SampleFreq 0 is out of range (must be > 0)");
}

TEST(Bounds, TimesBefore2015OrMoreThanADayAheadAreImplausible) {
  std::vector<std::string> p;
  EXPECT_EQ(bounds::check_time_seconds(1731518686.5, "T", kNow, p), 1731518686500000);
  EXPECT_EQ(bounds::check_time_seconds(0.0, "Header.Toltec.ObsStartTime", kNow, p), std::nullopt);
  EXPECT_EQ(bounds::check_time_seconds(-9.9e11, "T", kNow, p), std::nullopt);
  EXPECT_EQ(bounds::check_time_seconds(5.7e175, "T", kNow, p), std::nullopt);  // no UB converting
  EXPECT_EQ(bounds::check_time_seconds(std::nan(""), "T", kNow, p), std::nullopt);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_NE(p[0].find("Header.Toltec.ObsStartTime 0 (1970-01-01T00:00:00Z) is not a valid time"), std::string::npos)
      << p[0];
  EXPECT_NE(p[1].find("-29402"), std::string::npos) << p[1];
  EXPECT_TRUE(bounds::plausible_time(bounds::kEarliestTime, kNow));
  EXPECT_FALSE(bounds::plausible_time(bounds::kEarliestTime - 1, kNow));
  EXPECT_TRUE(bounds::plausible_time(kNow + bounds::kFutureSlack, kNow));
  EXPECT_FALSE(bounds::plausible_time(kNow + bounds::kFutureSlack + 1, kNow));
}

TEST(RelPath, LexicalNormalisation) {
  EXPECT_EQ(normalize_relative("toltec/ics/../ics/toltec0/x.nc"), "toltec/ics/toltec0/x.nc");
  EXPECT_EQ(normalize_relative("toltec//ics/./toltec0//x.nc"), "toltec/ics/toltec0/x.nc");
  EXPECT_EQ(normalize_relative("a/.."), "");
  EXPECT_EQ(normalize_relative("../etc/shadow"), std::nullopt);
  EXPECT_EQ(normalize_relative("toltec/../../etc"), std::nullopt);
  EXPECT_EQ(normalize_relative("/etc/shadow"), std::nullopt);
  EXPECT_TRUE(is_normal_relative("toltec/ics/toltec0/x.nc"));
  EXPECT_FALSE(is_normal_relative("../../etc/shadow"));
  EXPECT_FALSE(is_normal_relative("toltec//x.nc"));
  EXPECT_FALSE(is_normal_relative(""));
}

TEST(SiteFileName, OneCanonicalPathOrAReason) {
  using ingest::map_site_file_name;
  const std::string want = "toltec/ics/toltec8/x.nc";
  for (const char* f : {"/data_lmt/toltec/ics/toltec8/x.nc", "/data_lmt/toltec/ics/../ics/toltec8/x.nc",
                        "/data_lmt//toltec/ics//toltec8/./x.nc", "//data_lmt/toltec/ics/toltec8/x.nc",
                        "/mnt/archive/toltec/ics/toltec8/x.nc"})
    EXPECT_EQ(map_site_file_name(1, f).rel, want) << f;
  auto esc = map_site_file_name(7, "/data_lmt/../../../../etc/shadow");
  EXPECT_TRUE(esc.rel.empty());
  EXPECT_TRUE(esc.escapes);
  EXPECT_EQ(esc.reason, "path outside the data root");
  EXPECT_NE(esc.detail.find("row 7"), std::string::npos);
  EXPECT_NE(esc.detail.find("/data_lmt/../../../../etc/shadow"), std::string::npos);
  EXPECT_TRUE(map_site_file_name(1, "/x/toltec/../../etc/passwd").escapes);
  auto ctl = map_site_file_name(1, "/data_lmt/toltec/ics/toltec8/x\n/etc/passwd");
  EXPECT_TRUE(ctl.rel.empty());
  EXPECT_FALSE(ctl.escapes);
  EXPECT_EQ(map_site_file_name(1, "/data_lmt/toltec/..").reason, "unmappable FileName");
  EXPECT_EQ(ingest::site_relative_path("/data_lmt/../etc/shadow"), "");
}

storage::SiteDbRow row(std::int64_t obsnum) {
  storage::SiteDbRow r;
  r.id = 3;
  r.date = "2024-11-13";
  r.time = "17:24:46";
  r.roach = 0;
  r.obs_type = 2;
  r.master = 1;
  r.obsnum = obsnum;
  r.subobsnum = 0;
  r.scannum = 0;
  r.valid = 1;
  return r;
}

const std::string kRel = "toltec/ics/toltec0/toltec0_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc";

TEST(SiteRow, GoodRowIsRecordedWithoutProblem) {
  auto c = ingest::classify_site_row(row(18341), kRel, {}, false);
  ASSERT_EQ(c.outcome, ingest::Outcome::recorded) << c.detail;
  EXPECT_EQ(c.record.uid, "ics-18341-0-0");
  EXPECT_FALSE(c.record.problem) << *c.record.problem;
}

TEST(SiteRow, IdentityOutOfRangeFailsWithoutARecord) {
  for (auto [field, value] : {std::pair<const char*, std::int64_t>{"ObsNum", -5}, {"SubObsNum", std::int64_t{1} << 32},
                              {"Master", (std::int64_t{1} << 32) + 1}}) {
    auto r = row(18341);
    if (std::string(field) == "ObsNum") r.obsnum = value;
    if (std::string(field) == "SubObsNum") r.subobsnum = value;
    if (std::string(field) == "Master") r.master = value;
    auto c = ingest::classify_site_row(r, kRel, {}, false);
    EXPECT_EQ(c.outcome, ingest::Outcome::failed) << field;
    EXPECT_TRUE(c.record.uid.empty()) << field << ": " << c.record.uid;
    EXPECT_NE(c.detail.find(fmt::format("{} {} is out of range", field, value)), std::string::npos) << c.detail;
    EXPECT_NE(c.detail.find(kRel), std::string::npos) << c.detail;
  }
  auto bad = row(18341);
  bad.subobsnum.reset();
  bad.bad_values["SubObsNum"] = "SubObsNum 1.5 is not an integer";
  auto c = ingest::classify_site_row(bad, kRel, {}, false);
  EXPECT_EQ(c.outcome, ingest::Outcome::failed);
  EXPECT_NE(c.detail.find("SubObsNum 1.5 is not an integer"), std::string::npos) << c.detail;
}

TEST(SiteRow, OtherFieldsOutOfRangeAreNullAndFlagged) {
  auto r = row(18342);
  r.ts_obsnum = 18341;
  r.ts_subobsnum = 5'000'000'000;
  r.roach = (std::int64_t{1} << 32);
  r.obs_type = (std::int64_t{1} << 32) + 2;
  const std::string rel = "toltec/ics/toltec0/toltec0_018342_000_0000_2024_11_13_17_24_46_vnasweep.nc";
  auto c = ingest::classify_site_row(r, rel, {}, false);
  ASSERT_EQ(c.outcome, ingest::Outcome::recorded);
  ASSERT_TRUE(c.record.problem);
  const std::string& p = *c.record.problem;
  EXPECT_NE(p.find("row 3: TargSweepSubObsNum 5000000000 is out of range"), std::string::npos) << p;
  EXPECT_NE(p.find("row 3: RoachIndex 4294967296 is out of range 0..12"), std::string::npos) << p;
  EXPECT_NE(p.find("row 3: ObsType 4294967298 is out of range 0..4"), std::string::npos) << p;
  EXPECT_FALSE(c.record.cal_obsnum);
  EXPECT_FALSE(c.record.cal_subobsnum);
  EXPECT_EQ(c.record.roach, 0);  // the name's network
  EXPECT_EQ(c.record.data_kind, bits(DataKind::VnaSweep));  // the name's kind
}

TEST(SiteRow, ImplausibleDateTimeIsNotStored) {
  auto r = row(18341);
  r.date = "1970-01-01";
  r.time = "00:00:00";
  auto c = ingest::classify_site_row(r, "toltec/ics/toltec0/strange.nc", {}, false);
  ASSERT_EQ(c.outcome, ingest::Outcome::recorded);
  EXPECT_FALSE(c.record.file_time);
  ASSERT_TRUE(c.record.problem);
  EXPECT_NE(c.record.problem->find("row 3: Date/Time 1970-01-01T00:00:00Z is not a valid time"), std::string::npos)
      << *c.record.problem;
}

TEST(Layout, AFileInAnotherInterfacesDirectoryIsAProblem) {
  auto check = [](const std::string& path) {
    auto parsed = files::parse_filename(path);
    const auto* n = files::as_parsed(parsed);
    EXPECT_NE(n, nullptr) << path;
    return n ? files::layout_problem(path, *n) : std::nullopt;
  };
  const std::string name1 = "toltec1_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc";
  EXPECT_EQ(check("toltec/ics/toltec0/" + name1), "toltec1 file in directory toltec0/ (expected toltec1/)");
  EXPECT_EQ(check("toltec/ics/toltec1/" + name1), std::nullopt);
  EXPECT_EQ(check("/some/flat/dir/" + name1), std::nullopt);  // not part of the layout
  EXPECT_EQ(check(name1), std::nullopt);
  EXPECT_EQ(check("toltec/ics/hwpr/" + name1), "toltec1 file in directory hwpr/ (expected toltec1/)");
  EXPECT_EQ(check("toltec/tcs/toltec0/tel_toltec_2024-11-13_131289_00_0002.nc"),
            "tel_toltec file in directory toltec0/ (expected tel/)");
  EXPECT_EQ(check("tel/tel_toltec_2024-11-13_131289_00_0002.nc"), std::nullopt);
  EXPECT_EQ(check("toltec/ics/toltec13/" + name1), std::nullopt);  // toltec13 is no network directory
}

}  // namespace
