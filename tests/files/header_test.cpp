// netCDF header reading over real files written by the test (every format and header style), and
// every failure mode.
#include <gtest/gtest.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "files/header.h"
#include "sim/netcdf_writer.h"
#include "sim/toltec_writer.h"
#include "support/test_support.h"

using namespace tolteca;
using namespace tolteca::files;
using namespace tolteca::sim;
namespace fs = std::filesystem;

namespace {

const NcFormat kFormats[] = {NcFormat::classic, NcFormat::offset64, NcFormat::cdf5, NcFormat::netcdf4,
                             NcFormat::netcdf4_classic};

NetworkFileSpec tune_spec(NcFormat f, HeaderStyle style) {
  NetworkFileSpec s;
  s.format = f;
  s.style = style;
  s.obs_type = 4;
  s.master = Master::ics;
  s.roach = 7;
  s.obsnum = 18343;
  s.subobsnum = 2;
  s.scannum = 1;
  s.cal_obsnum = 18342;
  s.cal_subobsnum = 0;
  s.cal_scannum = 0;
  s.obs_start = 1731518686.5;
  s.obs_end = 1731518700.25;
  s.sample_freq = 488.28125;
  s.lo_center_freq = 712.5e6;
  s.drive_atten = 12.5;
  s.sense_atten = 6;
  s.num_sweep_steps = 176;
  s.num_samples_per_sweep_step = 10;
  s.n_channels = 5;
  s.n_samples = 37;
  return s;
}


}  // namespace

TEST(Header, NetworkFileEveryFormatAndStyle) {
  test::TempDir dir;
  for (NcFormat f : kFormats) {
    for (HeaderStyle style : {HeaderStyle{false, ' '}, HeaderStyle{true, '\0'}}) {
      SCOPED_TRACE(std::string(to_string(f)) + (style.length1 ? " length-1" : " 0-d"));
      std::string path = (dir / "net.nc").string();
      write_network_file(path, tune_spec(f, style));
      auto r = read_header(path);
      const HeaderInfo* h = as_header(r);
      ASSERT_NE(h, nullptr) << as_error(r)->reason;
      EXPECT_EQ(h->file_class, FileClass::network);
      EXPECT_EQ(h->format, to_string(f));
      EXPECT_EQ(h->obs_type, 4);
      EXPECT_EQ(h->data_kind, bits(DataKind::Tune));
      EXPECT_EQ(h->master, Master::ics);
      EXPECT_EQ(h->roach, 7);
      EXPECT_EQ(h->obsnum, 18343);
      EXPECT_EQ(h->subobsnum, 2);
      EXPECT_EQ(h->scannum, 1);
      EXPECT_EQ(h->cal_obsnum, 18342);
      EXPECT_EQ(h->cal_subobsnum, 0);
      EXPECT_EQ(h->cal_scannum, 0);
      EXPECT_EQ(h->obs_start_time, 1731518686500000);
      EXPECT_EQ(h->obs_end_time, 1731518700250000);
      EXPECT_DOUBLE_EQ(*h->sample_freq, 488.28125);
      EXPECT_DOUBLE_EQ(*h->lo_center_freq, 712.5e6);
      EXPECT_DOUBLE_EQ(*h->drive_atten, 12.5);
      EXPECT_DOUBLE_EQ(*h->sense_atten, 6);
      EXPECT_EQ(h->num_sweep_steps, 176);
      EXPECT_EQ(h->num_samples_per_sweep_step, 10);
      EXPECT_EQ(h->n_samples, 37);
      EXPECT_EQ(h->n_channels, 5);
      EXPECT_DOUBLE_EQ(*h->lo_freq, 700e6);
      EXPECT_FALSE(h->reduced_kind.has_value());
      EXPECT_TRUE(h->problems.empty());
    }
  }
}

TEST(Header, NoCalPointerWhenZero) {
  test::TempDir dir;
  auto s = tune_spec(NcFormat::classic, {});
  s.obs_type = 2;
  s.cal_obsnum = 0;
  std::string path = (dir / "vna.nc").string();
  write_network_file(path, s);
  auto r = read_header(path);
  ASSERT_NE(as_header(r), nullptr);
  EXPECT_FALSE(as_header(r)->cal_obsnum.has_value());
  EXPECT_FALSE(as_header(r)->cal_subobsnum.has_value());
  EXPECT_EQ(as_header(r)->data_kind, bits(DataKind::VnaSweep));
}

TEST(Header, TimestreamKinds) {
  test::TempDir dir;
  for (int ot : {0, 1}) {
    auto s = tune_spec(NcFormat::offset64, {});
    s.obs_type = ot;
    std::string path = (dir / "ts.nc").string();
    write_network_file(path, s);
    auto r = read_header(path);
    ASSERT_NE(as_header(r), nullptr);
    EXPECT_EQ(as_header(r)->data_kind, bits(DataKind::RawTimeStream));
    EXPECT_FALSE(as_header(r)->num_sweep_steps.has_value());
  }
}

TEST(Header, TelescopeFileEveryFormatAndStyle) {
  test::TempDir dir;
  for (NcFormat f : kFormats) {
    for (HeaderStyle style : {HeaderStyle{false, ' '}, HeaderStyle{true, '\0'}}) {
      SCOPED_TRACE(std::string(to_string(f)) + (style.length1 ? " length-1" : " 0-d"));
      TelFileSpec s;
      s.format = f;
      s.style = style;
      s.obsnum = 131289;
      s.subobsnum = 0;
      s.scannum = 2;
      s.obs_goal = "Focus";
      s.obs_pgm = "Lissajous";
      s.project_id = "2024-S1-MX-3";
      s.source_name = "3C 273";
      s.integration_time = 45;
      s.tau = 0.125;
      s.az_rad = 2.5;
      s.el_rad = 0.75;
      s.m2_x = 0.5;
      s.m2_y = -0.25;
      s.m2_z = -1.5;
      s.zernike = {0, 1, 2, 3, 4, 5, 6};
      s.az_user_off = 1e-5;
      s.el_user_off = -2e-5;
      s.az_paddle_off = 3e-5;
      s.el_paddle_off = -4e-5;
      s.crane_in_beam = 1;
      s.start_time = 1742387140;
      s.n_samples = 64;
      s.sample_rate = 32;
      std::string path = (dir / "tel.nc").string();
      write_tel_file(path, s);
      auto r = read_header(path);
      const HeaderInfo* h = as_header(r);
      ASSERT_NE(h, nullptr) << as_error(r)->reason;
      EXPECT_EQ(h->file_class, FileClass::telescope);
      EXPECT_EQ(h->data_kind, bits(DataKind::LmtTel));
      EXPECT_EQ(h->master, Master::tcs);
      EXPECT_EQ(h->obsnum, 131289);
      EXPECT_EQ(h->subobsnum, 0);
      EXPECT_EQ(h->scannum, 2);
      EXPECT_EQ(h->tel.obs_goal, "Focus");
      EXPECT_EQ(h->tel.obs_pgm, "Lissajous");
      EXPECT_EQ(h->tel.project_id, "2024-S1-MX-3");
      EXPECT_EQ(h->tel.source_name, "3C 273");
      EXPECT_DOUBLE_EQ(*h->tel.integration_time, 45);
      EXPECT_DOUBLE_EQ(*h->tel.tau, 0.125);
      EXPECT_DOUBLE_EQ(*h->tel.az_rad, 2.5);
      EXPECT_DOUBLE_EQ(*h->tel.el_rad, 0.75);
      EXPECT_DOUBLE_EQ(*h->tel.m2_x, 0.5);
      EXPECT_DOUBLE_EQ(*h->tel.m2_y, -0.25);
      EXPECT_DOUBLE_EQ(*h->tel.m2_z, -1.5);
      EXPECT_EQ(h->tel.m1_zernike, (std::vector<double>{0, 1, 2, 3, 4, 5, 6}));
      EXPECT_DOUBLE_EQ(*h->tel.az_user_off, 1e-5);
      EXPECT_DOUBLE_EQ(*h->tel.el_user_off, -2e-5);
      EXPECT_DOUBLE_EQ(*h->tel.az_paddle_off, 3e-5);
      EXPECT_DOUBLE_EQ(*h->tel.el_paddle_off, -4e-5);
      EXPECT_EQ(h->tel.crane_in_beam, 1);
      EXPECT_EQ(h->n_samples, 64);
      EXPECT_EQ(h->obs_start_time, 1742387140LL * 1000000);
      EXPECT_EQ(h->obs_end_time, 1742387140LL * 1000000 + 63 * 1000000LL / 32);
    }
  }
}

TEST(Header, HwprAndReducedFiles) {
  test::TempDir dir;
  auto s = tune_spec(NcFormat::netcdf4, {});
  s.hwpr = true;
  s.obs_type = 0;
  s.master = Master::tcs;
  std::string hp = (dir / "hwpr.nc").string();
  write_network_file(hp, s);
  auto r = read_header(hp);
  ASSERT_NE(as_header(r), nullptr) << as_error(r)->reason;
  EXPECT_EQ(as_header(r)->file_class, FileClass::network);
  EXPECT_FALSE(as_header(r)->roach.has_value());
  EXPECT_EQ(as_header(r)->n_samples, 37);  // the unlimited dimension
  EXPECT_EQ(as_header(r)->master, Master::tcs);

  auto red = tune_spec(NcFormat::classic, {true, '\0'});
  red.obs_type = 2;
  red.reduced_kind = "processed_sweep";
  std::string rp = (dir / "red.nc").string();
  write_network_file(rp, red);
  auto rr = read_header(rp);
  ASSERT_NE(as_header(rr), nullptr);
  EXPECT_EQ(as_header(rr)->file_class, FileClass::reduced);
  EXPECT_EQ(as_header(rr)->reduced_kind, "processed_sweep");
  EXPECT_EQ(as_header(rr)->obsnum, 18343);
}

TEST(Header, LoFreqZeroIsAProblemNotAnError) {
  test::TempDir dir;
  auto s = tune_spec(NcFormat::classic, {});
  s.lo_freq = 0;
  std::string path = (dir / "tune.nc").string();
  write_network_file(path, s);
  auto r = read_header(path);
  ASSERT_NE(as_header(r), nullptr);
  ASSERT_EQ(as_header(r)->problems.size(), 1u);
  EXPECT_NE(as_header(r)->problems[0].find("LoFreq"), std::string::npos);
}

TEST(Header, OddButValidLayouts) {
  // 2-d char arrays, a NC_STRING, a NUL-padded string with leading spaces, numbers that are not
  // length-1 (ignored, never half-read), unknown codes (problems).
  test::TempDir dir;
  std::string path = (dir / "odd.nc").string();
  {
    NcWriter w(path, NcFormat::netcdf4);
    int one = w.def_dim("one", 1), two = w.def_dim("two", 2), len = w.def_dim("len", 16);
    int goal = w.def_var("Header.Dcs.ObsGoal", NcType::char_, {one, len});
    int pgm = w.def_var("Header.Dcs.ObsPgm", NcType::string_, {});
    int src = w.def_var("Header.Source.SourceName", NcType::char_, {len});
    int obsnum = w.def_var("Header.Dcs.ObsNum", NcType::uint, {two});
    int sub = w.def_var("Header.Dcs.SubObsNum", NcType::float_, {one});
    int tau = w.def_var("Header.Radiometer.Tau", NcType::char_, {len});
    int time = w.def_dim("time", 0);
    int tt = w.def_var("Data.TelescopeBackend.TelTime", NcType::double_, {time});
    w.end_def();
    w.put_text(goal, "ASTIGMATISM", 16, '\0');
    w.put_string(pgm, "Map");
    w.put_text(src, "  Uranus", 16, ' ');
    std::int32_t ob[2] = {1, 2};
    (void)ob;
    w.put_doubles(obsnum, {0}, {2}, std::vector<double>{131290, 131291}.data());
    w.put_number(sub, 3);
    w.put_text(tau, "0.1", 16, ' ');
    (void)tt;
  }
  auto r = read_header(path);
  const HeaderInfo* h = as_header(r);
  ASSERT_NE(h, nullptr) << as_error(r)->reason;
  EXPECT_EQ(h->file_class, FileClass::telescope);
  EXPECT_EQ(h->tel.obs_goal, "ASTIGMATISM");
  EXPECT_EQ(h->tel.obs_pgm, "Map");
  EXPECT_EQ(h->tel.source_name, "Uranus");
  EXPECT_FALSE(h->obsnum.has_value());  // length 2: not a header number
  EXPECT_EQ(h->subobsnum, 3);
  EXPECT_FALSE(h->tel.tau.has_value());  // a string where a number belongs
  EXPECT_EQ(h->n_samples, 0);
  EXPECT_FALSE(h->obs_start_time.has_value());

  auto s = tune_spec(NcFormat::classic, {});
  s.obs_type = 9;
  s.roach = 17;
  std::string bad = (dir / "codes.nc").string();
  write_network_file(bad, s);
  auto rb = read_header(bad);
  ASSERT_NE(as_header(rb), nullptr);
  EXPECT_EQ(as_header(rb)->data_kind, 0u);
  EXPECT_FALSE(as_header(rb)->roach.has_value());
  EXPECT_EQ(as_header(rb)->problems.size(), 2u);
}

TEST(Header, NetcdfButNotToltecIsUnknown) {
  test::TempDir dir;
  std::string path = (dir / "other.nc").string();
  {
    NcWriter w(path, NcFormat::classic);
    int d = w.def_dim("x", 3);
    int v = w.def_var("temperature", NcType::float_, {d});
    w.end_def();
    w.put_doubles(v, {0}, {3}, std::vector<double>{1, 2, 3}.data());
  }
  auto r = read_header(path);
  ASSERT_NE(as_header(r), nullptr);
  EXPECT_EQ(as_header(r)->file_class, FileClass::unknown);
  EXPECT_EQ(as_header(r)->format, "classic");
}

namespace {

std::string error_of(const std::string& path) {
  auto r = read_header(path);
  if (auto* e = as_error(r)) return e->reason;
  return "(read fine)";
}

}  // namespace

TEST(Header, EveryFailureHasAClearReason) {
  test::TempDir dir;
  EXPECT_EQ(error_of((dir / "missing.nc").string()), "no such file");
  EXPECT_EQ(error_of(dir.str()), "is a directory");
  test::write_bytes(dir / "empty.nc", "");
  EXPECT_EQ(error_of((dir / "empty.nc").string()), "empty file (0 bytes)");
  test::write_bytes(dir / "text.nc", "this is not netCDF at all\n");
  EXPECT_EQ(error_of((dir / "text.nc").string()), "not a netCDF file (no netCDF/HDF5 signature)");
  test::write_bytes(dir / "tiny.nc", "CD");
  EXPECT_EQ(error_of((dir / "tiny.nc").string()), "not a netCDF file (only 2 bytes)");

  for (NcFormat f : kFormats) {
    SCOPED_TRACE(to_string(f));
    std::string good = (dir / "good.nc").string();
    auto spec = tune_spec(f, {});
    spec.n_samples = 200;  // data large enough that truncation can keep the header whole
    write_network_file(good, spec);
    std::string bytes = test::read_bytes(good);
    ASSERT_GT(bytes.size(), 1000u);
    // Truncated at several points: the header itself, or the data after it.
    for (double frac : {0.02, 0.1, 0.5, 0.9, 0.99}) {
      SCOPED_TRACE(frac);
      test::write_bytes(dir / "cut.nc", bytes.substr(0, static_cast<std::size_t>(double(bytes.size()) * frac)));
      std::string why = error_of((dir / "cut.nc").string());
      EXPECT_TRUE(why.find("truncated") != std::string::npos || why.find("corrupt") != std::string::npos) << why;
    }
    // Garbage after a valid signature.
    std::string junk = bytes.substr(0, 8);
    for (int i = 0; i < 2000; ++i) junk.push_back(static_cast<char>((i * 7919) & 0xff));
    test::write_bytes(dir / "junk.nc", junk);
    std::string why = error_of((dir / "junk.nc").string());
    EXPECT_TRUE(why.find("truncated") != std::string::npos || why.find("corrupt") != std::string::npos) << why;
  }
}

TEST(Header, PermissionDenied) {
  test::TempDir dir;
  std::string path = (dir / "locked.nc").string();
  write_network_file(path, tune_spec(NcFormat::classic, {}));
  fs::permissions(path, fs::perms::none);
  if (geteuid() != 0) {
    EXPECT_EQ(error_of(path), "permission denied");
    return;
  }
  // Root reads any file: read it from a child process that has become the user nobody.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    auto r = read_header(path);
    std::string reason = as_error(r) ? as_error(r)->reason : "(read without error)";
    ssize_t n = ::write(fds[1], reason.data(), reason.size());
    ::_exit(n == static_cast<ssize_t>(reason.size()) ? 0 : 3);
  }
  ::close(fds[1]);
  std::string reason;
  char buf[256];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) reason.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 2) GTEST_SKIP() << "running as root but cannot become uid 65534 here";
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(reason, "permission denied");
}

TEST(Header, CompareWithName) {
  test::TempDir dir;
  std::string path = (dir / "t.nc").string();
  write_network_file(path, tune_spec(NcFormat::classic, {}));
  auto r = read_header(path);
  ASSERT_NE(as_header(r), nullptr);
  const HeaderInfo& h = *as_header(r);
  auto agree = parse_filename("toltec/ics/toltec7/toltec7_018343_002_0001_2024_11_13_17_24_46_tune.nc");
  ASSERT_NE(as_parsed(agree), nullptr);
  EXPECT_TRUE(compare_with_name(h, *as_parsed(agree)).empty());
  auto wrong = parse_filename("toltec/tcs/toltec6/toltec6_018344_003_0002_2024_11_13_17_24_46_vnasweep.nc");
  ASSERT_NE(as_parsed(wrong), nullptr);
  auto problems = compare_with_name(h, *as_parsed(wrong));
  EXPECT_EQ(problems.size(), 6u);  // obsnum, subobsnum, scannum, network, master, kind
  for (const auto& p : problems) EXPECT_FALSE(p.empty());
  auto tel = parse_filename("tel_toltec_2024-11-13_018343_02_0001.nc");
  ASSERT_NE(as_parsed(tel), nullptr);
  auto tp = compare_with_name(h, *as_parsed(tel));
  ASSERT_FALSE(tp.empty());
  EXPECT_NE(tp[0].find("network header"), std::string::npos);
}

TEST(Header, ConcurrentReadsAreSafe) {
  test::TempDir dir;
  std::vector<std::string> paths;
  for (int i = 0; i < 8; ++i) {
    auto s = tune_spec(kFormats[i % 5], {i % 2 == 1, ' '});
    s.obsnum = 18000 + i;
    paths.push_back(dir.str() + "/f" + std::to_string(i) + ".nc");
    write_network_file(paths.back(), s);
  }
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < 40; ++k) {
        int i = (k + t) % 8;
        auto r = read_header(paths[i]);
        if (as_header(r) && as_header(r)->obsnum == 18000 + i) ++ok;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 160);
}

TEST(Header, LargeClassicHeaderIsReadInFull) {
  // A netCDF-3 header larger than the first read (16 KiB): the truncation check reads on.
  test::TempDir dir;
  std::string path = (dir / "big.nc").string();
  {
    NcWriter w(path, NcFormat::offset64);
    std::vector<int> ids;
    for (int i = 0; i < 700; ++i)
      ids.push_back(w.def_var("Header.Extra.SomeRatherLongVariableName_" + std::to_string(i), NcType::double_, {}));
    int obsnum = w.def_var("Header.Toltec.ObsNum", NcType::int_, {});
    int ot = w.def_var("Header.Toltec.ObsType", NcType::int_, {});
    w.end_def();
    for (int id : ids) w.put_number(id, 1.0);
    w.put_number(obsnum, 4242);
    w.put_number(ot, 2);
  }
  ASSERT_GT(fs::file_size(path), 40000u);
  auto r = read_header(path);
  ASSERT_NE(as_header(r), nullptr) << as_error(r)->reason;
  EXPECT_EQ(as_header(r)->obsnum, 4242);
  EXPECT_EQ(as_header(r)->file_class, FileClass::network);
  std::string bytes = test::read_bytes(path);
  for (std::size_t cut : {bytes.size() - 1, std::size_t(20000), std::size_t(100)}) {
    test::write_bytes(dir / "cut.nc", bytes.substr(0, cut));
    EXPECT_NE(error_of((dir / "cut.nc").string()).find("truncated"), std::string::npos) << cut;
  }
}
