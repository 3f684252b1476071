// model/split.h (the one list splitter) and model/trace.h (the one tracer).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/split.h"
#include "model/trace.h"

using namespace tolteca;

TEST(Split, EveryItemEmptyOnesIncluded) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(split("a,,b"), (V{"a", "", "b"}));
  EXPECT_EQ(split(""), (V{""}));
  EXPECT_EQ(split(","), (V{"", ""}));
  EXPECT_EQ(split("0-5,7"), (V{"0-5", "7"}));
  EXPECT_EQ(split("a|b", '|'), (V{"a", "b"}));
}

TEST(Split, NonEmptyItemsTrimmedWhenAsked) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split_nonempty("a,,b,"), (V{"a", "b"}));
  EXPECT_EQ(split_nonempty(" a , ,\tb"), (V{" a ", " ", "\tb"}));
  EXPECT_EQ(split_nonempty(" a , ,\tb", ',', Trim::blanks), (V{"a", "b"}));
  EXPECT_EQ(split_nonempty(""), V{});
}

TEST(Trace, OffByDefaultAndOnlyWhatIsAsked) {
  EXPECT_FALSE(trace_options().ingest);
  EXPECT_FALSE(trace_options().assoc_sql);
  Tracer off("test", false);
  testing::internal::CaptureStderr();
  off.lap("step", 3);
  off.event(1.5, "SELECT 1");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  Tracer on("test", true);
  testing::internal::CaptureStderr();
  on.lap("step", 3);
  on.event(1.5, std::string(500, 'x'));
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("[test] step "), std::string::npos) << err;
  EXPECT_NE(err.find("ms cpu (3)\n"), std::string::npos) << err;
  EXPECT_NE(err.find("[test    1.50 ms] " + std::string(400, 'x') + "\n"), std::string::npos) << err;
}
