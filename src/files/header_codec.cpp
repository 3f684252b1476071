// Binary header-result codec, see header_codec.h. Each struct lists its fields once (fields()); the same
// list drives the encoder and the decoder, so the two cannot drift apart.
#include "files/header_codec.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace tolteca::files {
namespace {

class Encoder {
 public:
  std::string out;

  template <typename T>
    requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  void operator()(T& v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out.append(b, sizeof(T));
  }
  void operator()(std::string& s) {
    auto n = static_cast<std::uint32_t>(s.size());
    (*this)(n);
    out += s;
  }
  template <typename T>
  void operator()(std::optional<T>& o) {
    bool has = o.has_value();
    (*this)(has);
    if (has) (*this)(*o);
  }
  template <typename T>
  void operator()(std::vector<T>& v) {
    auto n = static_cast<std::uint32_t>(v.size());
    (*this)(n);
    for (auto& x : v) (*this)(x);
  }
};

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}

  template <typename T>
    requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  void operator()(T& v) {
    std::memcpy(&v, take(sizeof(T)), sizeof(T));
  }
  void operator()(bool& v) {
    unsigned char c = 0;
    std::memcpy(&c, take(1), 1);
    if (c > 1) throw std::runtime_error("header message: bad boolean");
    v = c == 1;
  }
  void operator()(std::string& s) {
    std::uint32_t n = 0;
    (*this)(n);
    s.assign(take(n), n);
  }
  template <typename T>
  void operator()(std::optional<T>& o) {
    bool has = false;
    (*this)(has);
    if (!has) {
      o.reset();
      return;
    }
    o.emplace();
    (*this)(*o);
  }
  template <typename T>
  void operator()(std::vector<T>& v) {
    std::uint32_t n = 0;
    (*this)(n);
    if (n > in_.size()) throw std::runtime_error("header message: bad length");  // every element takes ≥ 1 byte
    v.resize(n);
    for (auto& x : v) (*this)(x);
  }
  bool done() const { return in_.empty(); }

 private:
  const char* take(std::size_t n) {
    if (n > in_.size()) throw std::runtime_error("header message: truncated");
    const char* p = in_.data();
    in_.remove_prefix(n);
    return p;
  }
  std::string_view in_;
};

template <typename IO>
void fields(IO& io, TelescopeMeta& t) {
  io(t.obs_goal), io(t.obs_pgm), io(t.project_id), io(t.source_name);
  io(t.integration_time), io(t.tau), io(t.az_rad), io(t.el_rad);
  io(t.m2_x), io(t.m2_y), io(t.m2_z), io(t.m1_zernike);
  io(t.az_user_off), io(t.el_user_off), io(t.az_paddle_off), io(t.el_paddle_off);
  io(t.crane_in_beam);
}

template <typename IO>
void fields(IO& io, HeaderInfo& h) {
  io(h.file_class), io(h.format);
  io(h.obs_type), io(h.master), io(h.roach), io(h.obsnum), io(h.subobsnum), io(h.scannum);
  io(h.cal_obsnum), io(h.cal_subobsnum), io(h.cal_scannum);
  io(h.obs_start_time), io(h.obs_end_time);
  io(h.sample_freq), io(h.lo_center_freq), io(h.drive_atten), io(h.sense_atten);
  io(h.n_samples), io(h.reduced_kind), io(h.data_kind);
  fields(io, h.tel);
  io(h.accum_len), io(h.fpga_freq), io(h.num_sweep_steps), io(h.num_samples_per_sweep_step);
  io(h.n_channels), io(h.lo_freq), io(h.problems);
}

constexpr char kInfoTag = 'H', kErrorTag = 'E';

}  // namespace

std::string encode_header_result(const HeaderResult& r) {
  Encoder e;
  if (const auto* h = std::get_if<HeaderInfo>(&r)) {
    e.out += kInfoTag;
    HeaderInfo copy = *h;  // the field list takes non-const references (it also drives decoding)
    fields(e, copy);
  } else {
    e.out += kErrorTag;
    std::string reason = std::get<HeaderError>(r).reason;
    e(reason);
  }
  return std::move(e.out);
}

HeaderResult decode_header_result(std::string_view bytes) {
  if (bytes.empty()) throw std::runtime_error("header message: empty");
  const char tag = bytes.front();
  Decoder d(bytes.substr(1));
  HeaderResult r;
  if (tag == kInfoTag) {
    HeaderInfo h;
    fields(d, h);
    if (h.file_class > FileClass::unknown || (h.master && *h.master > Master::clip))
      throw std::runtime_error("header message: enum out of range");
    r = std::move(h);
  } else if (tag == kErrorTag) {
    HeaderError e;
    d(e.reason);
    r = std::move(e);
  } else {
    throw std::runtime_error("header message: unknown tag");
  }
  if (!d.done()) throw std::runtime_error("header message: trailing bytes");
  return r;
}

}  // namespace tolteca::files
