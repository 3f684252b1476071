// Checks before netCDF-C, see header_precheck.h.
#include "files/header_precheck.h"

#include <fmt/format.h>
#include <netcdf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <memory>

namespace tolteca::files::detail {
namespace {

std::size_t type_size(nc_type t) {
  switch (t) {
    case NC_BYTE:
    case NC_CHAR:
    case NC_UBYTE: return 1;
    case NC_SHORT:
    case NC_USHORT: return 2;
    case NC_INT:
    case NC_UINT:
    case NC_FLOAT: return 4;
    case NC_DOUBLE:
    case NC_INT64:
    case NC_UINT64: return 8;
    default: return 0;
  }
}

constexpr std::size_t kFirstRead = 16384;  // one read holds the signature and a typical netCDF-3 header

// netCDF-3 (CDF-1/2/5) header walk: the file must hold every variable's data as the header places it
// (netCDF-C opens a truncated file and reads zeros past its end, so this is checked here).
class Cdf3Header {
 public:
  Cdf3Header(const unsigned char* p, std::size_t n, Signature sig)
      : p_(p), n_(n), wide_(sig == Signature::cdf5), offset64_(sig != Signature::cdf1) {}

  // Returns the smallest file size holding all data; nullopt with `incomplete` when the buffer ends
  // inside the header; nullopt otherwise for a malformed header.
  std::optional<std::uint64_t> expected_size(bool& incomplete) {
    incomplete = false;
    pos_ = 4;
    std::uint64_t numrecs = 0;
    if (!num(numrecs)) return fail(incomplete);
    const bool streaming = wide_ ? numrecs == 0xFFFFFFFFFFFFFFFFULL : numrecs == 0xFFFFFFFFULL;
    // Dimensions.
    std::uint32_t tag = 0;
    std::uint64_t count = 0;
    if (!u32(tag) || !num(count)) return fail(incomplete);
    if ((tag != 0x0A && tag != 0) || count > 65536) return std::nullopt;
    std::vector<std::uint64_t> dims(count);
    for (auto& d : dims)
      if (!name() || !num(d)) return fail(incomplete);
    if (!attributes()) return fail(incomplete);
    if (!u32(tag) || !num(count)) return fail(incomplete);
    if ((tag != 0x0B && tag != 0) || count > 1000000) return std::nullopt;
    struct Var {
      bool rec;
      std::uint64_t bytes, begin;
    };
    std::vector<Var> vars;
    vars.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) {
      std::uint64_t nd = 0;
      if (!name() || !num(nd)) return fail(incomplete);
      if (nd > 1024) return std::nullopt;
      Var v{false, 1, 0};
      for (std::uint64_t k = 0; k < nd; ++k) {
        std::uint64_t id = 0;
        if (!num(id)) return fail(incomplete);
        if (id >= dims.size()) return std::nullopt;
        if (k == 0 && dims[id] == 0)
          v.rec = true;
        else
          v.bytes *= dims[id];
      }
      if (!attributes()) return fail(incomplete);
      std::uint32_t type = 0;
      std::uint64_t vsize = 0;
      if (!u32(type) || !num(vsize)) return fail(incomplete);
      std::size_t ts = type_size(static_cast<nc_type>(type));
      if (ts == 0 || type > NC_UINT64) return std::nullopt;
      v.bytes *= ts;
      if (offset64_) {
        if (!u64(v.begin)) return fail(incomplete);
      } else {
        std::uint32_t b = 0;
        if (!u32(b)) return fail(incomplete);
        v.begin = b;
      }
      vars.push_back(v);
    }
    std::uint64_t recsize = 0;
    int nrec = 0;
    for (const auto& v : vars)
      if (v.rec) {
        recsize += (v.bytes + 3) / 4 * 4;
        ++nrec;
      }
    if (nrec == 1)
      for (const auto& v : vars)
        if (v.rec) recsize = v.bytes;
    std::uint64_t end = pos_;
    for (const auto& v : vars) {
      if (!v.rec)
        end = std::max(end, v.begin + v.bytes);
      else if (!streaming && numrecs > 0 && v.bytes > 0)
        end = std::max(end, v.begin + (numrecs - 1) * recsize + v.bytes);
    }
    return end;
  }

 private:
  std::optional<std::uint64_t> fail(bool& incomplete) {
    incomplete = short_;
    return std::nullopt;
  }
  bool need(std::size_t k) {
    if (pos_ + k > n_) {
      short_ = true;
      return false;
    }
    return true;
  }
  bool u32(std::uint32_t& v) {
    if (!need(4)) return false;
    v = (std::uint32_t(p_[pos_]) << 24) | (std::uint32_t(p_[pos_ + 1]) << 16) | (std::uint32_t(p_[pos_ + 2]) << 8) |
        std::uint32_t(p_[pos_ + 3]);
    pos_ += 4;
    return true;
  }
  bool u64(std::uint64_t& v) {
    std::uint32_t hi = 0, lo = 0;
    if (!u32(hi) || !u32(lo)) return false;
    v = (std::uint64_t(hi) << 32) | lo;
    return true;
  }
  bool num(std::uint64_t& v) {
    if (wide_) return u64(v);
    std::uint32_t x = 0;
    if (!u32(x)) return false;
    v = x;
    return true;
  }
  bool skip(std::uint64_t k) {
    k = (k + 3) / 4 * 4;
    if (k > n_ || !need(static_cast<std::size_t>(k))) return false;
    pos_ += static_cast<std::size_t>(k);
    return true;
  }
  bool name() {
    std::uint64_t len = 0;
    return num(len) && len <= 65536 && skip(len);
  }
  bool attributes() {
    std::uint32_t tag = 0;
    std::uint64_t count = 0;
    if (!u32(tag) || !num(count)) return false;
    if ((tag != 0x0C && tag != 0) || count > 1000000) return false;
    for (std::uint64_t i = 0; i < count; ++i) {
      std::uint32_t type = 0;
      std::uint64_t nelems = 0;
      if (!name() || !u32(type) || !num(nelems)) return false;
      std::size_t ts = type_size(static_cast<nc_type>(type));
      if (ts == 0 || type > NC_UINT64 || nelems > (1ULL << 40)) return false;
      if (!skip(nelems * ts)) return false;
    }
    return true;
  }

  const unsigned char* p_;
  std::size_t n_;
  bool wide_, offset64_;
  std::size_t pos_ = 0;
  bool short_ = false;
};

std::optional<HeaderError> check_classic_size(int fd, off_t size, Signature sig, std::unique_ptr<unsigned char[]> buf,
                                              std::size_t have) {
  std::size_t want = kFirstRead;
  for (;;) {
    bool incomplete = false;
    auto need = Cdf3Header(buf.get(), have, sig).expected_size(incomplete);
    if (need) {
      if (static_cast<std::uint64_t>(size) < *need)
        return HeaderError{fmt::format("truncated netCDF file: {} bytes, its header places data up to byte {}", size,
                                       *need)};
      return std::nullopt;
    }
    if (!incomplete) return HeaderError{"corrupt netCDF header"};
    if (have >= static_cast<std::size_t>(size))
      return HeaderError{fmt::format("truncated netCDF file: {} bytes, the header itself is cut short", size)};
    if (want >= (64u << 20)) return HeaderError{"corrupt netCDF header (larger than 64 MiB)"};
    want *= 4;
    const std::size_t n = std::min<std::size_t>(want, static_cast<std::size_t>(size));
    buf.reset(new unsigned char[n]);
    ssize_t got = ::pread(fd, buf.get(), n, 0);
    if (got < 0) return HeaderError{fmt::format("cannot read: {}", std::strerror(errno))};
    have = static_cast<std::size_t>(got);
  }
}

}  // namespace

std::optional<HeaderError> precheck(Env& env, const std::string& path, off_t& size, Signature& sig) {
  UniqueFd fd = env.open_read(path);
  if (!fd) {
    int e = errno;
    if (e == EACCES || e == EPERM) return HeaderError{"permission denied"};
    if (e == ENOENT) return HeaderError{"no such file"};
    return HeaderError{fmt::format("cannot open: {}", std::strerror(e))};
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return HeaderError{fmt::format("cannot stat: {}", std::strerror(errno))};
  if (S_ISDIR(st.st_mode)) return HeaderError{"is a directory"};
  size = st.st_size;
  if (size == 0) return HeaderError{"empty file (0 bytes)"};
  const std::size_t want = std::min<std::size_t>(kFirstRead, static_cast<std::size_t>(size));
  std::unique_ptr<unsigned char[]> buf(new unsigned char[want]);  // not cleared: pread fills what is used
  ssize_t n = ::pread(fd.get(), buf.get(), want, 0);
  int e = errno;
  if (n < 0) {
    if (e == EISDIR) return HeaderError{"is a directory"};
    return HeaderError{fmt::format("cannot read: {}", std::strerror(e))};
  }
  static constexpr unsigned char kHdf5[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  sig = Signature::none;
  if (n >= 4 && buf[0] == 'C' && buf[1] == 'D' && buf[2] == 'F') {
    if (buf[3] == 1) sig = Signature::cdf1;
    if (buf[3] == 2) sig = Signature::cdf2;
    if (buf[3] == 5) sig = Signature::cdf5;
  } else if (n >= 8 && std::memcmp(buf.get(), kHdf5, 8) == 0) {
    sig = Signature::hdf5;
  }
  if (sig == Signature::none) {
    if (n < 4) return HeaderError{fmt::format("not a netCDF file (only {} bytes)", n)};
    return HeaderError{"not a netCDF file (no netCDF/HDF5 signature)"};
  }
  if (sig == Signature::hdf5) return std::nullopt;
  return check_classic_size(fd.get(), size, sig, std::move(buf), static_cast<std::size_t>(n));
}

}  // namespace tolteca::files::detail
