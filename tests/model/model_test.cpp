#include <gtest/gtest.h>

#include <random>

#include "model/data_kind.h"
#include "model/quartet.h"
#include "model/time.h"

namespace tolteca {
namespace {

TEST(Master, ParsesAnyCase) {
  EXPECT_EQ(parse_master("ICS"), Master::ics);
  EXPECT_EQ(parse_master("Tcs"), Master::tcs);
  EXPECT_EQ(parse_master("clip"), Master::clip);
  EXPECT_FALSE(parse_master("ic"));
  EXPECT_FALSE(parse_master("icss"));
  EXPECT_EQ(master_from_code(1), Master::ics);
  EXPECT_FALSE(master_from_code(3));
}

TEST(Quartet, CanonicalTextRoundTrips) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    Quartet q{static_cast<Master>(rng() % 3), static_cast<std::int64_t>(rng() % 1'000'000),
              static_cast<std::int32_t>(rng() % 1000), static_cast<std::int32_t>(rng() % 10000)};
    auto text = to_string(q);
    auto back = parse_quartet(text);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(*back, q);
  }
  EXPECT_EQ(to_string(Quartet{Master::ics, 18343, 0, 0}), "ics-18343-0-0");
  for (const char* bad : {"", "ics", "ics-1", "ics-1-2", "ics-1-2-3-4", "foo-1-2-3", "ics-a-2-3", "ics--1-2-3"})
    EXPECT_FALSE(parse_quartet(bad)) << bad;
}

TEST(DataKind, NamesAndObsTypes) {
  EXPECT_EQ(data_kind_names(0), "");
  EXPECT_EQ(data_kind_names(1 | 4), "VnaSweep,Tune");
  EXPECT_EQ(parse_data_kind("tune"), 4u);
  EXPECT_EQ(parse_data_kind("RawSweep"), kRawSweepBits);
  EXPECT_FALSE(parse_data_kind("Bogus"));
  EXPECT_EQ(data_kind_from_obs_type(0), DataKind::RawTimeStream);
  EXPECT_EQ(data_kind_from_obs_type(1), DataKind::RawTimeStream);
  EXPECT_EQ(data_kind_from_obs_type(2), DataKind::VnaSweep);
  EXPECT_EQ(data_kind_from_obs_type(3), DataKind::TargetSweep);
  EXPECT_EQ(data_kind_from_obs_type(4), DataKind::Tune);
  EXPECT_FALSE(data_kind_from_obs_type(5));
}

TEST(Time, ValidatesAndFormats) {
  auto t = make_utc(2024, 11, 13, 17, 24, 46);
  ASSERT_TRUE(t);
  EXPECT_EQ(format_iso8601(*t), "2024-11-13T17:24:46Z");
  EXPECT_EQ(*t, 1731518686LL * 1'000'000);
  EXPECT_FALSE(make_utc(2023, 2, 29));
  EXPECT_TRUE(make_utc(2024, 2, 29));
  EXPECT_FALSE(make_utc(2024, 13, 1));
  EXPECT_FALSE(make_utc(2024, 1, 1, 24));
  EXPECT_EQ(parse_iso8601("2024-11-13"), make_utc(2024, 11, 13));
  EXPECT_EQ(parse_iso8601("2024-11-13 17:24"), make_utc(2024, 11, 13, 17, 24));
  EXPECT_EQ(parse_iso8601("2024-11-13T17:24:46Z"), t);
  EXPECT_FALSE(parse_iso8601("2024-11-1"));
  EXPECT_FALSE(parse_iso8601("yesterday"));
}

TEST(Time, FormatParseRoundTrip) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 5000; ++i) {
    UnixMicros t = static_cast<UnixMicros>(rng() % 4'000'000'000ULL) * 1'000'000;
    EXPECT_EQ(parse_iso8601(format_iso8601(t)), t);
  }
}

}  // namespace
}  // namespace tolteca
