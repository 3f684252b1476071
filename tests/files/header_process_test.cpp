// netCDF-4 headers read in a helper process: same result as in-process, and a helper that crashes,
// hangs or is killed costs one file a clear error, never the calling process. Crashes and hangs are
// injected through the Env seam: the helper (this test program, tests/support/test_main.cpp) serves
// with a FaultEnv its arguments describe.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "files/header_process.h"
#include "sim/toltec_writer.h"
#include "support/fault_env.h"
#include "support/test_support.h"

using namespace tolteca;
using namespace tolteca::files;
using namespace tolteca::sim;
using namespace std::chrono_literals;

namespace {

std::string write_net(const test::TempDir& dir, const std::string& name, NcFormat format, std::int64_t obsnum) {
  NetworkFileSpec s;
  s.format = format;
  s.obs_type = 3;
  s.master = Master::ics;
  s.roach = 4;
  s.obsnum = obsnum;
  s.obs_start = 1731518686.5;
  s.obs_end = 1731518690.0;
  s.lo_center_freq = 712.5e6;
  s.n_channels = 3;
  s.n_samples = 5;
  std::string path = (dir / name).string();
  write_network_file(path, s);
  return path;
}

}  // namespace

TEST(HeaderProcess, SameResultAsInProcessForEveryFormat) {
  test::TempDir dir;
  HeaderReaderProcess helper;
  for (NcFormat f : {NcFormat::classic, NcFormat::offset64, NcFormat::cdf5, NcFormat::netcdf4,
                     NcFormat::netcdf4_classic}) {
    SCOPED_TRACE(std::string(to_string(f)));
    std::string path = write_net(dir, "net.nc", f, 18343);
    HeaderResult in = read_header(path), out = helper.read(path);
    ASSERT_NE(as_header(out), nullptr) << as_error(out)->reason;
    EXPECT_EQ(*as_header(out), *as_header(in));
    EXPECT_EQ(read_header_isolated(path), in);
  }
  EXPECT_EQ(helper.helpers_started(), 1) << "one helper serves every read";
  for (std::string bad : {std::string("/no/such/file.nc"), (dir / "").string()}) {
    EXPECT_EQ(helper.read(bad), read_header(bad));
    EXPECT_EQ(helper.pid(), -1) << "a helper that failed a file is retired";
  }
  EXPECT_EQ(helper.helpers_started(), 2);
}

TEST(HeaderProcess, CrashingFileGetsAReasonAndTheNextFileIsRead) {
  test::TempDir dir;
  std::string good = write_net(dir, "good.nc", NcFormat::netcdf4, 1);
  std::string bad = write_net(dir, "crash.nc", NcFormat::netcdf4, 2);
  HeaderReaderProcess helper({.helper_args = test::helper_fault_args({.crash_on = "crash"})});
  ASSERT_TRUE(std::holds_alternative<HeaderInfo>(helper.read(good)));
  const pid_t first = helper.pid();
  HeaderResult r = helper.read(bad);
  ASSERT_NE(as_error(r), nullptr);
  EXPECT_NE(as_error(r)->reason.find("crashed reading this file"), std::string::npos) << as_error(r)->reason;
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // (Under a sanitizer the runtime catches the SIGSEGV and exits with a status instead.)
  EXPECT_NE(as_error(r)->reason.find("killed by signal 11"), std::string::npos) << as_error(r)->reason;
#endif
  EXPECT_EQ(helper.helpers_started(), 2) << "the crashing file is retried once in a fresh helper";
  HeaderResult after = helper.read(good);
  ASSERT_NE(as_header(after), nullptr);
  EXPECT_EQ(as_header(after)->obsnum, 1);
  EXPECT_NE(helper.pid(), first);
  EXPECT_EQ(helper.helpers_started(), 3);
}

TEST(HeaderProcess, HelperKilledBetweenReadsIsReplacedSilently) {
  test::TempDir dir;
  std::string good = write_net(dir, "good.nc", NcFormat::netcdf4, 5);
  HeaderReaderProcess helper;
  ASSERT_TRUE(std::holds_alternative<HeaderInfo>(helper.read(good)));
  ASSERT_EQ(::kill(helper.pid(), SIGKILL), 0);
  HeaderResult r = helper.read(good);  // the dead helper is found on send/receive and replaced
  ASSERT_NE(as_header(r), nullptr) << as_error(r)->reason;
  EXPECT_EQ(as_header(r)->obsnum, 5);
  EXPECT_EQ(helper.helpers_started(), 2);
}

TEST(HeaderProcess, HangingReadTimesOutAndTheHelperIsReplaced) {
  test::TempDir dir;
  std::string good = write_net(dir, "good.nc", NcFormat::netcdf4, 6);
  std::string slow = write_net(dir, "hang.nc", NcFormat::netcdf4, 7);
  HeaderReaderProcess helper({.helper_timeout = 300ms, .helper_args = test::helper_fault_args({.hang_on = "hang"})});
  HeaderResult r = helper.read(slow);
  ASSERT_NE(as_error(r), nullptr);
  EXPECT_NE(as_error(r)->reason.find("did not finish in 0.3 s"), std::string::npos) << as_error(r)->reason;
  EXPECT_EQ(helper.pid(), -1) << "the hung helper was killed and reaped";
  ASSERT_TRUE(std::holds_alternative<HeaderInfo>(helper.read(good)));
}

TEST(HeaderProcess, ThreadsEachUseTheirOwnHelper) {
  test::TempDir dir;
  std::vector<std::string> paths;
  for (int i = 0; i < 8; ++i) paths.push_back(write_net(dir, std::string("n").append(std::to_string(i)).append(".nc"), NcFormat::netcdf4, 100 + i));
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 5; ++round)
        for (int i = 0; i < 8; ++i) {
          HeaderResult r = read_header_isolated(paths[static_cast<std::size_t>(i)]);
          if (!as_header(r) || as_header(r)->obsnum != 100 + i) ++wrong;
        }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(HeaderProcess, ReadHeaderDoesItsIoThroughTheEnv) {
  // The seam itself: read_header(path, env) does its netCDF open through env (here a wrapper that
  // counts), and the default Env reads the same as read_header(path).
  test::TempDir dir;
  std::string path = write_net(dir, "counted.nc", NcFormat::netcdf4, 9);
  struct Counting : EnvWrapper {
    using EnvWrapper::EnvWrapper;
    int opens = 0, nc_opens = 0;
    UniqueFd open_read(const std::string& p) override {
      ++opens;
      return EnvWrapper::open_read(p);
    }
    int nc_open_read(const std::string& p, int* ncid) override {
      ++nc_opens;
      return EnvWrapper::nc_open_read(p, ncid);
    }
  } env(Env::Default());
  EXPECT_EQ(read_header(path, env), read_header(path));
  EXPECT_EQ(env.opens, 1);
  EXPECT_EQ(env.nc_opens, 1);
  EXPECT_EQ(test::fault_from_helper_args(test::helper_fault_args({.crash_on = "a", .hang_on = "b"})).hang_on, "b");
}

TEST(HeaderProcess, ConfiguredOptionsReachNewThreads) {
  // read_header_isolated() uses the options configure_header_reading() set (as tolteca_db's main does
  // from TOLTECA_HEADER_ISOLATION / TOLTECA_HEADER_TIMEOUT): with isolation, the file goes to a helper
  // (here one that crashes on it); without, it is read in this process.
  test::TempDir dir;
  std::string path = write_net(dir, "cfg.nc", NcFormat::netcdf4, 12);
  const HeaderReadOptions saved = header_read_options();
  auto read_in_new_thread = [&](const HeaderReadOptions& o) {
    configure_header_reading(o);
    HeaderResult r;
    std::thread([&] { r = read_header_isolated(path); }).join();  // a thread's helper keeps its options
    return r;
  };
  HeaderReadOptions crashing;
  crashing.helper_args = test::helper_fault_args({.crash_on = "cfg.nc"});
  HeaderResult isolated = read_in_new_thread(crashing);
  crashing.isolate_netcdf4 = false;
  HeaderResult in_process = read_in_new_thread(crashing);
  configure_header_reading(saved);
  ASSERT_NE(as_error(isolated), nullptr);
  EXPECT_NE(as_error(isolated)->reason.find("crashed reading this file"), std::string::npos) << as_error(isolated)->reason;
  ASSERT_NE(as_header(in_process), nullptr) << as_error(in_process)->reason;
  EXPECT_EQ(as_header(in_process)->obsnum, 12);
}
