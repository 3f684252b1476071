// File-name parsing: every convention of the spec, every bad case, round trip.
#include <gtest/gtest.h>

#include <random>

#include "files/filename.h"

using namespace tolteca;
using namespace tolteca::files;

namespace {

UnixMicros utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) { return *make_utc(y, mo, d, h, mi, s); }

struct Good {
  std::string input;
  InterfaceKind kind;
  std::string interface;
  std::optional<int> roach;
  std::optional<Master> master;
  std::int64_t obsnum;
  int subobsnum, scannum;
  UnixMicros time;
  std::string suffix, extension;
  bool raw;
  DataKindBits data_kind;
  int sub_width;
};

constexpr DataKindBits kVna = 1, kTarg = 2, kTune = 4, kTs = 8, kTel = 16;

std::vector<Good> good_cases() {
  auto ics = Master::ics;
  auto tcs = Master::tcs;
  auto clip = Master::clip;
  return {
      // Spec examples.
      {"toltec8_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc", InterfaceKind::toltec, "toltec8", 8, std::nullopt,
       18341, 0, 0, utc(2024, 11, 13, 17, 24, 46), "vnasweep", "nc", true, kVna, 3},
      {"/data_lmt/toltec/ics/toltec8/toltec8_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc", InterfaceKind::toltec,
       "toltec8", 8, ics, 18341, 0, 0, utc(2024, 11, 13, 17, 24, 46), "vnasweep", "nc", true, kVna, 3},
      {"toltec0_131289_000_0002_2025_03_19_12_25_40.nc", InterfaceKind::toltec, "toltec0", 0, std::nullopt, 131289, 0,
       2, utc(2025, 3, 19, 12, 25, 40), "", "nc", true, kTs, 3},
      {"data_lmt/toltec/tcs/toltec0/toltec0_131289_000_0002_2025_03_19_12_25_40.nc", InterfaceKind::toltec, "toltec0",
       0, tcs, 131289, 0, 2, utc(2025, 3, 19, 12, 25, 40), "", "nc", true, kTs, 3},
      {"toltec3_010860_00_0000_2020_03_23_18_51_39_tune.txt", InterfaceKind::toltec, "toltec3", 3, std::nullopt, 10860,
       0, 0, utc(2020, 3, 23, 18, 51, 39), "tune", "txt", false, kTune, 2},
      {"toltec12_018342_001_0000_2024_11_13_17_30_01_targsweep.nc", InterfaceKind::toltec, "toltec12", 12,
       std::nullopt, 18342, 1, 0, utc(2024, 11, 13, 17, 30, 1), "targsweep", "nc", true, kTarg, 3},
      {"toltec5_018343_000_0000_2024_11_13_17_31_00_tune.nc", InterfaceKind::toltec, "toltec5", 5, std::nullopt, 18343,
       0, 0, utc(2024, 11, 13, 17, 31, 0), "tune", "nc", true, kTune, 3},
      {"toltec2_018344_000_0000_2024_11_13_17_40_00_timestream.nc", InterfaceKind::toltec, "toltec2", 2, std::nullopt,
       18344, 0, 0, utc(2024, 11, 13, 17, 40, 0), "timestream", "nc", true, kTs, 3},
      // Reduction products keep the stem and extend the suffix.
      {"toltec8_018341_000_0000_2024_11_13_17_24_46_vnasweep_processed.nc", InterfaceKind::toltec, "toltec8", 8,
       std::nullopt, 18341, 0, 0, utc(2024, 11, 13, 17, 24, 46), "vnasweep_processed", "nc", false, kVna, 3},
      {"toltec8_018342_000_0000_2024_11_13_17_28_00_targsweep_kids_find.ecsv", InterfaceKind::toltec, "toltec8", 8,
       std::nullopt, 18342, 0, 0, utc(2024, 11, 13, 17, 28, 0), "targsweep_kids_find", "ecsv", false, kTarg, 3},
      {"toltec8_018341_000_0000_2024_11_13_17_24_46_vnasweep_d21.nc", InterfaceKind::toltec, "toltec8", 8,
       std::nullopt, 18341, 0, 0, utc(2024, 11, 13, 17, 24, 46), "vnasweep_d21", "nc", false, kVna, 3},
      {"toltec8_018341_000_0000_2024_11_13_17_24_46_d21.nc", InterfaceKind::toltec, "toltec8", 8, std::nullopt, 18341,
       0, 0, utc(2024, 11, 13, 17, 24, 46), "d21", "nc", false, 0, 3},
      {"toltec1_018343_000_0000_2024_11_13_17_31_00_tune.txt", InterfaceKind::toltec, "toltec1", 1, std::nullopt, 18343,
       0, 0, utc(2024, 11, 13, 17, 31, 0), "tune", "txt", false, kTune, 3},
      {"toltec0_131289_000_0002_2025_03_19_12_25_40_timestream_processed.nc", InterfaceKind::toltec, "toltec0", 0,
       std::nullopt, 131289, 0, 2, utc(2025, 3, 19, 12, 25, 40), "timestream_processed", "nc", false, kTs, 3},
      // Other interfaces.
      {"hwpr_131289_000_0002_2025_03_19_12_25_40.nc", InterfaceKind::hwpr, "hwpr", std::nullopt, std::nullopt, 131289,
       0, 2, utc(2025, 3, 19, 12, 25, 40), "", "nc", true, kTs, 3},
      {"/data_lmt/toltec/tcs/hwpr/hwpr_131289_000_0002_2025_03_19_12_25_40.nc", InterfaceKind::hwpr, "hwpr",
       std::nullopt, tcs, 131289, 0, 2, utc(2025, 3, 19, 12, 25, 40), "", "nc", true, kTs, 3},
      {"toltec/clip/hwpr/hwpr_000012_000_0000_2023_01_02_03_04_05_timestream.nc", InterfaceKind::hwpr, "hwpr",
       std::nullopt, clip, 12, 0, 0, utc(2023, 1, 2, 3, 4, 5), "timestream", "nc", true, kTs, 3},
      {"toltec_hk_018344_000_0000_2024_11_13_17_40_00_timestream.nc", InterfaceKind::toltec_hk, "toltec_hk",
       std::nullopt, std::nullopt, 18344, 0, 0, utc(2024, 11, 13, 17, 40, 0), "timestream", "nc", true, kTs, 3},
      {"toltec_hk_018344_000_0000_2024_11_13_17_40_00.nc", InterfaceKind::toltec_hk, "toltec_hk", std::nullopt,
       std::nullopt, 18344, 0, 0, utc(2024, 11, 13, 17, 40, 0), "", "nc", true, 0, 3},
      {"toltec/ics/toltec_hk/toltec_hk_2021-06-01_012345_00_0001.nc", InterfaceKind::toltec_hk, "toltec_hk",
       std::nullopt, ics, 12345, 0, 1, utc(2021, 6, 1), "", "nc", true, 0, 2},
      {"tel_toltec_2025-03-19_131289_00_0002.nc", InterfaceKind::tel_toltec, "tel_toltec", std::nullopt, tcs, 131289, 0,
       2, utc(2025, 3, 19), "", "nc", true, kTel, 2},
      {"/data_lmt/tel/tel_toltec_2022-03-10_093026_00_0001.nc", InterfaceKind::tel_toltec, "tel_toltec", std::nullopt,
       tcs, 93026, 0, 1, utc(2022, 3, 10), "", "nc", true, kTel, 2},
      {"tel_toltec2_2025-03-19_131289_00_0002.nc", InterfaceKind::tel_toltec2, "tel_toltec2", std::nullopt, tcs, 131289,
       0, 2, utc(2025, 3, 19), "", "nc", true, kTel, 2},
      {"wyatt_2024-11-13_18344_0_0.nc", InterfaceKind::wyatt, "wyatt", std::nullopt, std::nullopt, 18344, 0, 0,
       utc(2024, 11, 13), "", "nc", true, 0, 1},
      {"toltec/ics/wyatt/wyatt_2024-11-13_018344_000_0000.nc", InterfaceKind::wyatt, "wyatt", std::nullopt, ics, 18344,
       0, 0, utc(2024, 11, 13), "", "nc", true, 0, 3},
      // Numbers are \d+: old and future widths, large series.
      {"toltec4_7512_95_1_2019_12_31_23_59_59_targsweep.nc", InterfaceKind::toltec, "toltec4", 4, std::nullopt, 7512,
       95, 1, utc(2019, 12, 31, 23, 59, 59), "targsweep", "nc", true, kTarg, 2},
      {"toltec10_1520001_099_0013_2026_02_28_00_00_00.nc", InterfaceKind::toltec, "toltec10", 10, std::nullopt, 1520001,
       99, 13, utc(2026, 2, 28), "", "nc", true, kTs, 3},
      {"toltec0_018341_000_0000_2024_02_29_12_00_00_vnasweep.nc", InterfaceKind::toltec, "toltec0", 0, std::nullopt,
       18341, 0, 0, utc(2024, 2, 29, 12), "vnasweep", "nc", true, kVna, 3},
      // Directories that do not name a master leave it unknown.
      {"/scratch/toltec8/toltec8_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc", InterfaceKind::toltec, "toltec8", 8,
       std::nullopt, 18341, 0, 0, utc(2024, 11, 13, 17, 24, 46), "vnasweep", "nc", true, kVna, 3},
  };
}

struct Bad {
  std::string input;
  RejectReason reason;
};

std::vector<Bad> bad_cases() {
  using R = RejectReason;
  return {
      // Current-file links.
      {"toltec0.nc", R::current_file_link},
      {"toltec12.nc", R::current_file_link},
      {"/data_lmt/toltec/ics/toltec0/toltec0.nc", R::current_file_link},
      {"tel.nc", R::current_file_link},
      {"hwpr.nc", R::current_file_link},
      {"toltec_hk.nc", R::current_file_link},
      {"tel_toltec.nc", R::current_file_link},
      {"wyatt.nc", R::current_file_link},
      // Not TolTEC at all.
      {"", R::not_toltec_name},
      {"/", R::not_toltec_name},
      {"data_lmt/toltec/ics/toltec0/", R::not_toltec_name},
      {"README.md", R::not_toltec_name},
      {"notes.nc", R::not_toltec_name},
      {".nc", R::not_toltec_name},
      {"toltec0_018341_000_0000_2024_11_13_17_24_46_vnasweep", R::not_toltec_name},
      {"toltec0_018341_000_0000_2024_11_13_17_24_46_vnasweep.", R::not_toltec_name},
      {"toltec0_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc.part", R::not_toltec_name},
      {"toltec0_018341_000_0000_2024_11_13_17_24_46_foo.nc", R::not_toltec_name},
      {"toltec0_018341_000_0000_2024_11_13_17_24_46_.nc", R::not_toltec_name},
      {"toltec0_018341_000_0000_2024_11_13_17_24_46_vnasweep_.nc", R::not_toltec_name},
      {"toltec0_018341_000_0000_2024_11_13_17_24_46__vnasweep.nc", R::not_toltec_name},
      {"toltec0_018341_000_0000_2024_11_13_17_24_46-vnasweep.nc", R::not_toltec_name},
      {"toltec0_018341_000_0000_2024_11_13_17_24_46_vna sweep.nc", R::not_toltec_name},
      {"toltec0_018341_000_0000_2024_11_13.nc", R::not_toltec_name},
      {"toltec0_018341_000_0000.nc", R::not_toltec_name},
      {"toltec0_018341_000.nc", R::not_toltec_name},
      {"toltec0_.nc", R::not_toltec_name},
      {"toltec0x_018341_000_0000_2024_11_13_17_24_46.nc", R::not_toltec_name},
      {"toltec_018341_000_0000_2024_11_13_17_24_46.nc", R::not_toltec_name},
      {"Toltec0_018341_000_0000_2024_11_13_17_24_46.nc", R::not_toltec_name},
      {"toltec0_a18341_000_0000_2024_11_13_17_24_46.nc", R::not_toltec_name},
      {"toltec0_-18341_000_0000_2024_11_13_17_24_46.nc", R::not_toltec_name},
      {"tel_toltec_2025-03-19_131289_00_0002_extra.nc", R::not_toltec_name},
      {"tel_toltec_2025-03-19_131289_00.nc", R::not_toltec_name},
      {"tel_toltec_20250319_131289_00_0002.nc", R::not_toltec_name},
      {"tel_2025-03-19_131289_00_0002.nc", R::not_toltec_name},
      {"hwpr_131289_000_0002.nc", R::not_toltec_name},
      {"wyatt_131289_000_0002.nc", R::not_toltec_name},
      {"toltec8_018341_000_0000_2024_11_13_17_24_46_vnasweep.n\xc3\xa9", R::not_toltec_name},
      {std::string("toltec8_018341_000_0000_2024_11_13_17_24_46_vna\0sweep.nc", 56), R::not_toltec_name},
      // Bad numbers.
      {"toltec13_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc", R::bad_number},
      {"toltec99_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc", R::bad_number},
      {"toltec07_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc", R::bad_number},
      {"toltec123_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc", R::bad_number},
      {"toltec0_99999999999999999999_000_0000_2024_11_13_17_24_46.nc", R::bad_number},
      {"toltec0_1000000000_000_0000_2024_11_13_17_24_46.nc", R::bad_number},
      {"toltec0_018341_0000000000000_0000_2024_11_13_17_24_46.nc", R::bad_number},
      {"tel_toltec_2025-03-19_131289_00_99999999999.nc", R::bad_number},
      // Bad timestamps.
      {"toltec0_018341_000_0000_2024_13_13_17_24_46_vnasweep.nc", R::bad_timestamp},
      {"toltec0_018341_000_0000_2023_02_29_17_24_46_vnasweep.nc", R::bad_timestamp},
      {"toltec0_018341_000_0000_2024_11_31_17_24_46_vnasweep.nc", R::bad_timestamp},
      {"toltec0_018341_000_0000_2024_11_13_24_00_00_vnasweep.nc", R::bad_timestamp},
      {"toltec0_018341_000_0000_2024_11_13_17_60_00_vnasweep.nc", R::bad_timestamp},
      {"toltec0_018341_000_0000_2024_00_13_17_24_46_vnasweep.nc", R::bad_timestamp},
      {"toltec0_018341_000_0000_1969_12_31_17_24_46_vnasweep.nc", R::bad_timestamp},
      {"toltec0_018341_000_0000_24_11_13_17_24_46_vnasweep.nc", R::bad_timestamp},
      {"toltec0_018341_000_0000_2024_1_13_17_24_46_vnasweep.nc", R::bad_timestamp},
      {"toltec0_018341_000_0000_2024_11_13_17_24_460_vnasweep.nc", R::bad_timestamp},
      {"tel_toltec_2025-02-30_131289_00_0002.nc", R::bad_timestamp},
      {"tel_toltec_2025-3-19_131289_00_0002.nc", R::bad_timestamp},
      {"wyatt_2024-13-01_18344_0_0.nc", R::bad_timestamp},
      {"toltec_hk_2021-06-31_012345_00_0001.nc", R::bad_timestamp},
  };
}

}  // namespace

TEST(FileName, ParsesEveryConvention) {
  for (const auto& g : good_cases()) {
    SCOPED_TRACE(g.input);
    auto r = parse_filename(g.input);
    const ParsedName* p = as_parsed(r);
    ASSERT_NE(p, nullptr) << "rejected: " << as_rejection(r)->detail;
    EXPECT_EQ(p->kind, g.kind);
    EXPECT_EQ(p->interface, g.interface);
    EXPECT_EQ(p->roach, g.roach);
    EXPECT_EQ(p->master, g.master);
    EXPECT_EQ(p->obsnum, g.obsnum);
    EXPECT_EQ(p->subobsnum, g.subobsnum);
    EXPECT_EQ(p->scannum, g.scannum);
    ASSERT_TRUE(p->file_time.has_value());
    EXPECT_EQ(*p->file_time, g.time) << format_iso8601(*p->file_time);
    EXPECT_EQ(p->suffix, g.suffix);
    EXPECT_EQ(p->extension, g.extension);
    EXPECT_EQ(p->is_raw, g.raw);
    EXPECT_EQ(p->data_kind, g.data_kind);
    EXPECT_EQ(p->subobsnum_width, g.sub_width);
    if (g.master) {
      ASSERT_TRUE(p->quartet().has_value());
      EXPECT_EQ(p->quartet()->master, *g.master);
    } else {
      EXPECT_FALSE(p->quartet().has_value());
    }
  }
}

TEST(FileName, CanonicalNamesFormatBackIdentically) {
  // Names already in canonical form (6-digit obsnum, 4-digit scannum) format back to themselves.
  for (const auto& g : good_cases()) {
    auto r = parse_filename(g.input);
    const ParsedName* p = as_parsed(r);
    ASSERT_NE(p, nullptr);
    std::string name = g.input.substr(g.input.rfind('/') == std::string::npos ? 0 : g.input.rfind('/') + 1);
    if (name.rfind("wyatt_2024-11-13_18344", 0) == 0 || name.rfind("toltec4_7512", 0) == 0) continue;  // not canonical
    EXPECT_EQ(format_filename(*p), name);
  }
}

TEST(FileName, RejectsEveryBadCaseWithItsReason) {
  for (const auto& b : bad_cases()) {
    SCOPED_TRACE(b.input);
    auto r = parse_filename(b.input);
    const NameRejection* rej = as_rejection(r);
    ASSERT_NE(rej, nullptr) << "accepted as " << format_filename(*as_parsed(r));
    EXPECT_EQ(rej->reason, b.reason) << to_string(rej->reason) << ": " << rej->detail;
    EXPECT_FALSE(rej->detail.empty());
  }
}

TEST(FileName, RelativePaths) {
  auto r1 = parse_filename("/x/data_lmt/toltec/ics/toltec8/toltec8_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc");
  auto p = as_parsed(r1);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(format_relative_path(*p), "toltec/ics/toltec8/toltec8_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc");
  auto r2 = parse_filename("tel_toltec_2025-03-19_131289_00_0002.nc");
  auto t = as_parsed(r2);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(format_relative_path(*t), "tel/tel_toltec_2025-03-19_131289_00_0002.nc");
  auto r3 = parse_filename("toltec/tcs/hwpr/hwpr_131289_000_0002_2025_03_19_12_25_40.nc");
  auto h = as_parsed(r3);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(format_relative_path(*h), "toltec/tcs/hwpr/hwpr_131289_000_0002_2025_03_19_12_25_40.nc");
  auto r4 = parse_filename("toltec8_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc");
  auto nomaster = as_parsed(r4);
  ASSERT_NE(nomaster, nullptr);
  EXPECT_THROW(format_relative_path(*nomaster), std::invalid_argument);
  ParsedName no_time;
  EXPECT_THROW(format_filename(no_time), std::invalid_argument);
}

TEST(FileName, RejectionReasonsHaveNames) {
  EXPECT_EQ(to_string(RejectReason::not_toltec_name), "not a TolTEC name");
  EXPECT_EQ(to_string(RejectReason::current_file_link), "current-file link");
  EXPECT_EQ(to_string(RejectReason::bad_timestamp), "bad timestamp");
  EXPECT_EQ(to_string(RejectReason::bad_number), "bad number");
}

namespace {

ParsedName random_name(std::mt19937_64& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  ParsedName n;
  static constexpr InterfaceKind kKinds[] = {InterfaceKind::toltec,     InterfaceKind::toltec,      InterfaceKind::toltec,
                                             InterfaceKind::hwpr,       InterfaceKind::toltec_hk,   InterfaceKind::tel_toltec,
                                             InterfaceKind::tel_toltec2, InterfaceKind::wyatt};
  n.kind = kKinds[pick(0, 7)];
  n.obsnum = pick(0, 2) == 0 ? pick(0, 99999) : pick(0, 999'999'999);
  n.subobsnum_width = pick(2, 4);
  int max_sub = n.subobsnum_width == 2 ? 99 : n.subobsnum_width == 3 ? 999 : 9999;
  n.subobsnum = pick(0, max_sub);
  n.scannum = pick(0, 2) == 0 ? pick(0, 9999) : pick(0, 9);
  int y = pick(1970, 2099), mo = pick(1, 12), d = pick(1, 28);
  bool date_only = n.kind == InterfaceKind::tel_toltec || n.kind == InterfaceKind::tel_toltec2 ||
                   n.kind == InterfaceKind::wyatt;
  if (n.kind == InterfaceKind::toltec_hk) {
    n.date_first = pick(0, 1) == 1;
    date_only = n.date_first;
  }
  n.file_time = date_only ? make_utc(y, mo, d) : make_utc(y, mo, d, pick(0, 23), pick(0, 59), pick(0, 59));
  static const char* kExt[] = {"nc", "nc", "nc", "txt", "ecsv"};
  n.extension = kExt[pick(0, 4)];
  if (!date_only) {
    static const char* kSuffix[] = {"",          "vnasweep",           "targsweep",           "tune",
                                    "timestream", "vnasweep_processed", "targsweep_kids_find", "d21",
                                    "tune_d21",  "timestream_processed"};
    n.suffix = kSuffix[pick(0, 9)];
  }
  if (n.kind == InterfaceKind::toltec) n.roach = pick(0, 12);
  n.interface = interface_name(n.kind, n.roach);
  // Expected derived fields.
  bool tel = n.kind == InterfaceKind::tel_toltec || n.kind == InterfaceKind::tel_toltec2;
  if (tel) {
    n.master = Master::tcs;
    n.data_kind = 16;
    n.is_raw = n.extension == "nc";
  } else {
    n.master = static_cast<Master>(pick(0, 2));
    if (n.kind == InterfaceKind::wyatt) {
      n.data_kind = 0;
      n.is_raw = n.extension == "nc";
    } else {
      std::string first = n.suffix.substr(0, n.suffix.find('_'));
      n.data_kind = first == "vnasweep"     ? 1
                    : first == "targsweep"  ? 2
                    : first == "tune"       ? 4
                    : first == "timestream" ? 8
                    : first == "d21"        ? 0
                    : n.kind == InterfaceKind::toltec_hk ? 0
                                                         : 8;
      bool raw_suffix = n.suffix.empty() || n.suffix == "vnasweep" || n.suffix == "targsweep" || n.suffix == "tune" ||
                        n.suffix == "timestream";
      n.is_raw = raw_suffix && n.extension == "nc";
    }
  }
  return n;
}

}  // namespace

TEST(FileName, PropertyParseOfFormatIsIdentity) {
  std::mt19937_64 rng(20241113);
  for (int i = 0; i < 20000; ++i) {
    ParsedName x = random_name(rng);
    std::string path = format_relative_path(x);
    SCOPED_TRACE(path);
    auto r = parse_filename(path);
    const ParsedName* p = as_parsed(r);
    ASSERT_NE(p, nullptr) << as_rejection(r)->detail;
    ASSERT_EQ(*p, x);
    // Under an absolute data root, too.
    auto r2 = parse_filename("/data_lmt/" + path);
    ASSERT_NE(as_parsed(r2), nullptr);
    ASSERT_EQ(*as_parsed(r2), x);
    // The bare name loses only the master (except tel files, always tcs).
    auto r3 = parse_filename(format_filename(x));
    ASSERT_NE(as_parsed(r3), nullptr);
    ParsedName y = x;
    if (x.kind != InterfaceKind::tel_toltec && x.kind != InterfaceKind::tel_toltec2) y.master.reset();
    ASSERT_EQ(*as_parsed(r3), y);
  }
}

TEST(FileName, PropertyMutatedNamesNeverCrashAndAreConsistent) {
  // Random byte edits of valid names: the parser returns either a rejection with a detail, or a
  // name that formats back to a name parsing to the same thing (never a half-parsed guess).
  std::mt19937_64 rng(7);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  static const char kAlphabet[] = "0123456789_-.abcdefghijklmnopqrstuvwxyz/ \x01\xff";
  for (int i = 0; i < 20000; ++i) {
    std::string s = format_relative_path(random_name(rng));
    int edits = pick(1, 3);
    for (int k = 0; k < edits && !s.empty(); ++k) {
      int pos = pick(0, static_cast<int>(s.size()) - 1);
      switch (pick(0, 2)) {
        case 0: s[pos] = kAlphabet[pick(0, sizeof(kAlphabet) - 2)]; break;
        case 1: s.erase(pos, 1); break;
        default: s.insert(s.begin() + pos, kAlphabet[pick(0, sizeof(kAlphabet) - 2)]); break;
      }
    }
    auto r = parse_filename(s);
    if (auto* rej = as_rejection(r)) {
      EXPECT_FALSE(rej->detail.empty());
      continue;
    }
    const ParsedName& p = *as_parsed(r);
    auto again = parse_filename(format_filename(p));
    ASSERT_NE(as_parsed(again), nullptr) << s;
    ParsedName q = *as_parsed(again);
    q.master = p.master;
    EXPECT_EQ(q, p) << s;
  }
}

TEST(FileName, RandomBytesNeverCrash) {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 20000; ++i) {
    std::string s(std::uniform_int_distribution<int>(0, 80)(rng), '\0');
    for (auto& c : s) c = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    auto r = parse_filename(s);
    if (auto* rej = as_rejection(r)) {
      EXPECT_FALSE(rej->detail.empty());
    }
  }
}
