// Inputs the fuzzers (fuzz/) found that crashed or hit undefined behaviour, kept as regression tests.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include "files/filename.h"
#include "files/header.h"
#include "sim/netcdf_writer.h"
#include "query/spec.h"
#include "support/test_support.h"

using namespace tolteca;
using namespace tolteca::files;
using namespace tolteca::sim;

namespace {

// A network file whose ObsStartTime/ObsEndTime are `start`/`end` seconds (any double).
void write_with_times(const std::string& path, double start, double end) {
  NcWriter w(path, NcFormat::classic);
  int type = w.def_var("Header.Toltec.ObsType", NcType::int_, {});
  int master = w.def_var("Header.Toltec.Master", NcType::int_, {});
  int roach = w.def_var("Header.Toltec.RoachIndex", NcType::int_, {});
  int obsnum = w.def_var("Header.Toltec.ObsNum", NcType::int_, {});
  int t0 = w.def_var("Header.Toltec.ObsStartTime", NcType::double_, {});
  int t1 = w.def_var("Header.Toltec.ObsEndTime", NcType::double_, {});
  w.end_def();
  w.put_number(type, 2);
  w.put_number(master, 1);
  w.put_number(roach, 8);
  w.put_number(obsnum, 18341);
  w.put_number(t0, start);
  w.put_number(t1, end);
  w.close();
}

}  // namespace

// fuzz_header, crash-89561e38: ObsStartTime = 5.7e175 s made micros_from_seconds() convert an
// out-of-range double to int64 (UBSan: "outside the range of representable values of type 'long'").
TEST(FuzzRegression, HeaderTimeOutOfRangeIsAProblemNotUndefinedBehaviour) {
  test::TempDir dir;
  std::string path = (dir / "toltec8_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc").string();
  write_with_times(path, 5.71508e+175, -1e300);
  auto r = read_header(path);
  const HeaderInfo* h = as_header(r);
  ASSERT_NE(h, nullptr) << as_error(r)->reason;
  EXPECT_FALSE(h->obs_start_time.has_value());
  EXPECT_FALSE(h->obs_end_time.has_value());
  ASSERT_EQ(h->problems.size(), 2u);
  EXPECT_NE(h->problems[0].find("Header.Toltec.ObsStartTime"), std::string::npos) << h->problems[0];
  EXPECT_NE(h->problems[0].find("not a valid time"), std::string::npos) << h->problems[0];
  EXPECT_EQ(h->obsnum, 18341);
}

TEST(FuzzRegression, HeaderTimeInRangeStillRead) {
  test::TempDir dir;
  std::string path = (dir / "a.nc").string();
  write_with_times(path, 1731518686.5, 1731518786);
  auto r = read_header(path);
  const HeaderInfo* h = as_header(r);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->obs_start_time, 1731518686500000);
  EXPECT_EQ(h->obs_end_time, 1731518786000000);
  EXPECT_TRUE(h->problems.empty());
}
