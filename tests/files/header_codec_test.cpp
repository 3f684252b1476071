// The helper-process message codec: every HeaderInfo survives encode/decode exactly (property test over
// random headers), NaN keeps its bits, and any damaged message is rejected rather than misread.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include "files/header_codec.h"

using namespace tolteca;
using namespace tolteca::files;

namespace {

class RandomHeader {
 public:
  explicit RandomHeader(unsigned seed) : rng_(seed) {}

  HeaderInfo make() {
    HeaderInfo h;
    h.file_class = static_cast<FileClass>(pick(0, 3));
    h.format = text();
    maybe(h.obs_type, [&] { return pick(-5, 9); });
    maybe(h.master, [&] { return static_cast<Master>(pick(0, 2)); });
    maybe(h.roach, [&] { return pick(0, 12); });
    maybe(h.obsnum, [&] { return big(); });
    maybe(h.subobsnum, [&] { return pick(0, 100); });
    maybe(h.scannum, [&] { return pick(0, 1000); });
    maybe(h.cal_obsnum, [&] { return big(); });
    maybe(h.cal_subobsnum, [&] { return pick(0, 5); });
    maybe(h.cal_scannum, [&] { return pick(0, 5); });
    maybe(h.obs_start_time, [&] { return big(); });
    maybe(h.obs_end_time, [&] { return big(); });
    for (auto* d : {&h.sample_freq, &h.lo_center_freq, &h.drive_atten, &h.sense_atten, &h.accum_len, &h.fpga_freq,
                    &h.lo_freq, &h.tel.integration_time, &h.tel.tau, &h.tel.az_rad, &h.tel.el_rad, &h.tel.m2_x,
                    &h.tel.m2_y, &h.tel.m2_z, &h.tel.az_user_off, &h.tel.el_user_off, &h.tel.az_paddle_off,
                    &h.tel.el_paddle_off})
      maybe(*d, [&] { return real(); });
    maybe(h.n_samples, [&] { return big(); });
    maybe(h.reduced_kind, [&] { return text(); });
    h.data_kind = static_cast<DataKindBits>(rng_());
    for (auto* s : {&h.tel.obs_goal, &h.tel.obs_pgm, &h.tel.project_id, &h.tel.source_name})
      maybe(*s, [&] { return text(); });
    for (int i = pick(0, 7); i > 0; --i) h.tel.m1_zernike.push_back(real());
    maybe(h.tel.crane_in_beam, [&] { return pick(0, 1); });
    maybe(h.num_sweep_steps, [&] { return big(); });
    maybe(h.num_samples_per_sweep_step, [&] { return big(); });
    maybe(h.n_channels, [&] { return big(); });
    for (int i = pick(0, 3); i > 0; --i) h.problems.push_back(text());
    return h;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::int64_t big() { return static_cast<std::int64_t>(rng_()); }  // any value, both signs (modular in C++20)
  double real() {
    switch (pick(0, 3)) {
      case 0: return std::numeric_limits<double>::infinity();
      case 1: return -0.0;
      default: return std::uniform_real_distribution<double>(-1e12, 1e12)(rng_);
    }
  }
  std::string text() {
    std::string s(static_cast<std::size_t>(pick(0, 40)), '\0');
    for (char& c : s) c = static_cast<char>(pick(0, 255));  // any byte, NUL included
    return s;
  }
  template <typename T, typename F>
  void maybe(std::optional<T>& o, F make) {
    if (pick(0, 2) != 0) o = make();
  }
  std::mt19937_64 rng_;
};

}  // namespace

TEST(HeaderCodec, RandomHeadersRoundTripExactly) {
  RandomHeader gen(20261126);
  for (int i = 0; i < 500; ++i) {
    HeaderInfo h = gen.make();
    HeaderResult back = decode_header_result(encode_header_result(h));
    ASSERT_NE(as_header(back), nullptr) << "case " << i;
    EXPECT_EQ(*as_header(back), h) << "case " << i;
  }
}

TEST(HeaderCodec, ErrorsRoundTrip) {
  for (std::string reason : {std::string(), std::string("empty file (0 bytes)"), std::string("a\0b", 3)}) {
    HeaderResult back = decode_header_result(encode_header_result(HeaderError{reason}));
    ASSERT_NE(as_error(back), nullptr);
    EXPECT_EQ(as_error(back)->reason, reason);
  }
}

TEST(HeaderCodec, NanKeepsItsBits) {
  HeaderInfo h;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  h.tel.tau = nan;
  h.lo_freq = -nan;
  HeaderResult back = decode_header_result(encode_header_result(h));
  ASSERT_NE(as_header(back), nullptr);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(*as_header(back)->tel.tau), std::bit_cast<std::uint64_t>(nan));
  EXPECT_EQ(std::bit_cast<std::uint64_t>(*as_header(back)->lo_freq), std::bit_cast<std::uint64_t>(-nan));
}

TEST(HeaderCodec, EveryTruncationAndTrailingByteIsRejected) {
  RandomHeader gen(7);
  for (int i = 0; i < 20; ++i) {
    const std::string msg = encode_header_result(gen.make());
    for (std::size_t n = 0; n < msg.size(); ++n)
      EXPECT_THROW(decode_header_result(std::string_view(msg).substr(0, n)), std::runtime_error) << n;
    EXPECT_THROW(decode_header_result(msg + 'x'), std::runtime_error);
  }
  EXPECT_THROW(decode_header_result("Zjunk"), std::runtime_error);
}

TEST(HeaderCodec, OutOfRangeEnumsAreRejected) {
  HeaderInfo h;
  std::string msg = encode_header_result(h);
  msg[1] = 9;  // file_class is the first field after the tag
  EXPECT_THROW(decode_header_result(msg), std::runtime_error);
}
