// The one parser of command-line times (model/time_arg.h).
#include <gtest/gtest.h>

#include "model/error.h"
#include "model/time_arg.h"

namespace tolteca {
namespace {

// A fixed "now": 2024-11-14T03:30:15.250Z.
const UnixMicros kNow = *make_utc(2024, 11, 14, 3, 30, 15) + 250'000;

TEST(TimeArg, Words) {
  EXPECT_EQ(parse_time_arg("now", kNow), kNow);
  EXPECT_EQ(parse_time_arg("today", kNow), make_utc(2024, 11, 14));
  EXPECT_EQ(parse_time_arg("Yesterday", kNow), make_utc(2024, 11, 13));
  EXPECT_EQ(parse_time_arg(" today ", kNow), make_utc(2024, 11, 14));
}

TEST(TimeArg, Offsets) {
  EXPECT_EQ(parse_time_arg("-1d", kNow), kNow - 86'400'000'000LL);
  EXPECT_EQ(parse_time_arg("-12h", kNow), kNow - 12 * 3'600'000'000LL);
  EXPECT_EQ(parse_time_arg("-30m", kNow), kNow - 30 * 60'000'000LL);
  EXPECT_EQ(parse_time_arg("-90s", kNow), kNow - 90'000'000LL);
  EXPECT_EQ(parse_time_arg("-2w", kNow), kNow - 14 * 86'400'000'000LL);
  EXPECT_EQ(parse_time_arg("-1.5h", kNow), kNow - 5'400'000'000LL);
  EXPECT_EQ(parse_time_arg("2h", kNow), kNow - 2 * 3'600'000'000LL);  // an offset is always into the past
}

TEST(TimeArg, IsoTimes) {
  EXPECT_EQ(parse_time_arg("2024-11-13", kNow), make_utc(2024, 11, 13));
  EXPECT_EQ(parse_time_arg("2024-11-13T17:24", kNow), make_utc(2024, 11, 13, 17, 24));
  EXPECT_EQ(parse_time_arg("2024-11-13T17:24:46Z", kNow), make_utc(2024, 11, 13, 17, 24, 46));
  EXPECT_EQ(parse_time_arg("2024-11-13 17:24:46", kNow), make_utc(2024, 11, 13, 17, 24, 46));
}

TEST(TimeArg, RejectsWhatIsNotATime) {
  for (const char* bad : {"", "-", "d", "-d", "-1x", "1", "-1", "tomorrow", "2024-13-01", "2024-11-1", "--1d",
                          "-1e9d", "2024-11-13T25:00", "-inf h", "-nanh"})
    EXPECT_FALSE(parse_time_arg(bad, kNow)) << bad;
}

TEST(TimeArg, ErrorNamesTheOptionAndTheForms) {
  try {
    parse_time_option_or_throw("soon", "--since");
    FAIL() << "no error";
  } catch (const UserError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("--since 'soon'"), std::string::npos) << m;
    EXPECT_NE(m.find("yesterday"), std::string::npos) << m;
    EXPECT_NE(m.find("-12h"), std::string::npos) << m;
  }
}

TEST(Time, OnePrecisionInOutput) {
  EXPECT_EQ(format_iso8601(*make_utc(2024, 11, 13, 17, 24, 46) + 999'999), "2024-11-13T17:24:46Z");
  EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59Z");
}

}  // namespace
}  // namespace tolteca
