// netCDF header reading, see header.h.
#include "files/header.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netcdf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <dlfcn.h>
#include <vector>

namespace tolteca::files {

std::mutex& netcdf_mutex() {
  static std::mutex m;
  return m;
}

void quiet_hdf5_errors_for_this_thread() {
  // HDF5 (thread-safe build) keeps its automatic error printing per thread; netCDF-C turns it off
  // only in the thread that initialised it. Off here, so a corrupt netCDF-4 file gives our one-line
  // error and no HDF5 stack dump on stderr. H5E_DEFAULT is hid_t 0.
  thread_local bool done = false;
  if (done) return;
  done = true;
  using SetAuto = int (*)(std::int64_t, void*, void*);
  static SetAuto fn = reinterpret_cast<SetAuto>(dlsym(RTLD_DEFAULT, "H5Eset_auto2"));
  if (fn) fn(0, nullptr, nullptr);
}

std::string_view to_string(FileClass c) {
  switch (c) {
    case FileClass::network: return "network";
    case FileClass::telescope: return "telescope";
    case FileClass::reduced: return "reduced";
    case FileClass::unknown: return "unknown";
  }
  return "?";
}

namespace {

constexpr std::size_t kMaxText = 4096;

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

enum class Signature { none, cdf1, cdf2, cdf5, hdf5 };

// Checks existence, type, permission and the netCDF signature before netCDF-C sees the file, so each
// failure gets its own clear reason (netCDF-C reports most of them as "unknown file format").
std::optional<HeaderError> check_classic_size(int fd, off_t size, Signature sig);

std::optional<HeaderError> precheck(const std::string& path, off_t& size, Signature& sig) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (e == EACCES || e == EPERM) return HeaderError{"permission denied"};
    if (e == ENOENT) return HeaderError{"no such file"};
    return HeaderError{fmt::format("cannot open: {}", std::strerror(e))};
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return HeaderError{fmt::format("cannot stat: {}", std::strerror(e))};
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return HeaderError{"is a directory"};
  }
  size = st.st_size;
  if (size == 0) {
    ::close(fd);
    return HeaderError{"empty file (0 bytes)"};
  }
  unsigned char buf[8] = {};
  ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  int e = errno;
  if (n < 0) {
    ::close(fd);
    if (e == EISDIR) return HeaderError{"is a directory"};
    return HeaderError{fmt::format("cannot read: {}", std::strerror(e))};
  }
  static constexpr unsigned char kHdf5[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  sig = Signature::none;
  if (n >= 4 && buf[0] == 'C' && buf[1] == 'D' && buf[2] == 'F') {
    if (buf[3] == 1) sig = Signature::cdf1;
    if (buf[3] == 2) sig = Signature::cdf2;
    if (buf[3] == 5) sig = Signature::cdf5;
  } else if (n == 8 && std::memcmp(buf, kHdf5, 8) == 0) {
    sig = Signature::hdf5;
  }
  if (sig == Signature::none) {
    ::close(fd);
    if (n < 4) return HeaderError{fmt::format("not a netCDF file (only {} bytes)", n)};
    return HeaderError{"not a netCDF file (no netCDF/HDF5 signature)"};
  }
  std::optional<HeaderError> err;
  if (sig != Signature::hdf5) err = check_classic_size(fd, size, sig);
  ::close(fd);
  return err;
}

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

std::optional<HeaderError> check_classic_size(int fd, off_t size, Signature sig) {
  std::size_t want = 16384;
  std::vector<unsigned char> buf;
  for (;;) {
    std::size_t n = std::min<std::size_t>(want, static_cast<std::size_t>(size));
    buf.resize(n);
    ssize_t got = ::pread(fd, buf.data(), n, 0);
    if (got < 0) return HeaderError{fmt::format("cannot read: {}", std::strerror(errno))};
    buf.resize(static_cast<std::size_t>(got));
    bool incomplete = false;
    auto need = Cdf3Header(buf.data(), buf.size(), sig).expected_size(incomplete);
    if (need) {
      if (static_cast<std::uint64_t>(size) < *need)
        return HeaderError{fmt::format("truncated netCDF file: {} bytes, its header places data up to byte {}", size,
                                       *need)};
      return std::nullopt;
    }
    if (!incomplete) return HeaderError{"corrupt netCDF header"};
    if (buf.size() >= static_cast<std::size_t>(size))
      return HeaderError{fmt::format("truncated netCDF file: {} bytes, the header itself is cut short", size)};
    if (want >= (64u << 20)) return HeaderError{"corrupt netCDF header (larger than 64 MiB)"};
    want *= 4;
  }
}

bool is_numeric(nc_type t) { return t != NC_CHAR && t != NC_STRING && t >= NC_BYTE && t <= NC_UINT64; }

// One open file; every method runs with netcdf_mutex() held by the caller.
class Reader {
 public:
  explicit Reader(int ncid) : ncid_(ncid) {}

  int varid(const char* name) const {
    int id = -1;
    return nc_inq_varid(ncid_, name, &id) == NC_NOERR ? id : -1;
  }

  struct Shape {
    nc_type type = NC_NAT;
    int ndims = 0;
    int dimids[NC_MAX_VAR_DIMS] = {};
    std::size_t len[NC_MAX_VAR_DIMS] = {};
    std::size_t total = 1;
  };

  bool shape(int id, Shape& s) const {
    if (nc_inq_var(ncid_, id, nullptr, &s.type, &s.ndims, s.dimids, nullptr) != NC_NOERR) return false;
    s.total = 1;
    for (int i = 0; i < s.ndims; ++i) {
      if (nc_inq_dimlen(ncid_, s.dimids[i], &s.len[i]) != NC_NOERR) return false;
      s.total *= s.len[i];
    }
    return true;
  }

  // A 0-d or length-1 numeric variable, any type.
  std::optional<double> number(const char* name) const {
    int id = varid(name);
    if (id < 0) return std::nullopt;
    Shape s;
    if (!shape(id, s) || !is_numeric(s.type) || s.total != 1) return std::nullopt;
    static constexpr std::size_t kZero[NC_MAX_VAR_DIMS] = {};
    double v = 0;
    if (nc_get_var1_double(ncid_, id, kZero, &v) != NC_NOERR) return std::nullopt;
    return v;
  }

  std::optional<std::int64_t> integer(const char* name) const {
    int id = varid(name);
    if (id < 0) return std::nullopt;
    Shape s;
    if (!shape(id, s) || !is_numeric(s.type) || s.total != 1) return std::nullopt;
    static constexpr std::size_t kZero[NC_MAX_VAR_DIMS] = {};
    if (s.type == NC_FLOAT || s.type == NC_DOUBLE) {
      double v = 0;
      if (nc_get_var1_double(ncid_, id, kZero, &v) != NC_NOERR || !std::isfinite(v) || std::fabs(v) > 9e15)
        return std::nullopt;
      return static_cast<std::int64_t>(std::llround(v));
    }
    long long v = 0;
    if (nc_get_var1_longlong(ncid_, id, kZero, &v) != NC_NOERR) return std::nullopt;
    return static_cast<std::int64_t>(v);
  }

  // An NC_CHAR array (first row of a 2-d array) padded with spaces or NULs, or a scalar NC_STRING.
  std::optional<std::string> text(const char* name) const {
    int id = varid(name);
    if (id < 0) return std::nullopt;
    Shape s;
    if (!shape(id, s)) return std::nullopt;
    std::string out;
    static constexpr std::size_t kZero[NC_MAX_VAR_DIMS] = {};
    if (s.type == NC_CHAR) {
      std::size_t row = s.ndims == 0 ? 1 : s.len[s.ndims - 1];
      if (row == 0 || s.total == 0) return std::string();
      row = std::min(row, kMaxText);
      std::size_t count[NC_MAX_VAR_DIMS];
      for (int i = 0; i < s.ndims; ++i) count[i] = 1;
      if (s.ndims > 0) count[s.ndims - 1] = row;
      out.resize(row);
      if (nc_get_vara_text(ncid_, id, kZero, count, out.data()) != NC_NOERR) return std::nullopt;
    } else if (s.type == NC_STRING && s.total >= 1) {
      char* p = nullptr;
      if (nc_get_var1_string(ncid_, id, kZero, &p) != NC_NOERR) return std::nullopt;
      if (p) out = p;
      nc_free_string(1, &p);
    } else {
      return std::nullopt;
    }
    auto nul = out.find('\0');
    if (nul != std::string::npos) out.resize(nul);
    auto last = out.find_last_not_of(" \t\r\n");
    out.resize(last == std::string::npos ? 0 : last + 1);
    auto first = out.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && first > 0) out.erase(0, first);
    return out;
  }

  // Up to `max` numeric values of a 1-d (or n-d: flattened) variable.
  std::vector<double> numbers(const char* name, std::size_t max) const {
    std::vector<double> out;
    int id = varid(name);
    if (id < 0) return out;
    Shape s;
    if (!shape(id, s) || !is_numeric(s.type) || s.total == 0 || s.total > max) return out;
    out.resize(s.total);
    if (nc_get_var_double(ncid_, id, out.data()) != NC_NOERR) out.clear();
    return out;
  }

  // Length of the first dimension of a variable; its last dimension.
  std::optional<std::int64_t> first_dim_len(int id) const {
    Shape s;
    if (id < 0 || !shape(id, s) || s.ndims == 0) return std::nullopt;
    return static_cast<std::int64_t>(s.len[0]);
  }
  std::optional<std::int64_t> last_dim_len(int id) const {
    Shape s;
    if (id < 0 || !shape(id, s) || s.ndims < 2) return std::nullopt;
    return static_cast<std::int64_t>(s.len[s.ndims - 1]);
  }

  // Element [i, 0, 0…] of a variable.
  std::optional<double> element(int id, std::size_t i) const {
    Shape s;
    if (id < 0 || !shape(id, s) || !is_numeric(s.type) || s.ndims == 0 || s.len[0] <= i) return std::nullopt;
    std::size_t index[NC_MAX_VAR_DIMS] = {};
    index[0] = i;
    double v = 0;
    if (nc_get_var1_double(ncid_, id, index, &v) != NC_NOERR) return std::nullopt;
    return v;
  }

 private:
  int ncid_;
};

// Unix seconds -> microseconds; a value no int64 microsecond count can hold (|t| >= 1e12 s, ~31 700
// years) is reported as a problem instead of being converted (that conversion is undefined behaviour).
std::optional<UnixMicros> header_time(std::optional<double> v, const char* name, HeaderInfo& h) {
  if (!v || !std::isfinite(*v)) return std::nullopt;
  if (std::fabs(*v) >= 1e12) {
    h.problems.push_back(fmt::format("{} {} is not a valid time", name, *v));
    return std::nullopt;
  }
  return micros_from_seconds(*v);
}

void read_network_ids(const Reader& r, HeaderInfo& h) {
  if (auto v = r.integer("Header.Toltec.ObsType")) h.obs_type = static_cast<int>(*v);
  if (auto v = r.integer("Header.Toltec.Master")) {
    h.master = master_from_code(static_cast<int>(*v));
    if (!h.master) h.problems.push_back(fmt::format("unknown Header.Toltec.Master {}", *v));
  }
  if (auto v = r.integer("Header.Toltec.RoachIndex")) {
    if (*v >= 0 && *v <= 12)
      h.roach = static_cast<int>(*v);
    else
      h.problems.push_back(fmt::format("Header.Toltec.RoachIndex {} is not a network 0..12", *v));
  }
  h.obsnum = r.integer("Header.Toltec.ObsNum");
  if (auto v = r.integer("Header.Toltec.SubObsNum")) h.subobsnum = static_cast<std::int32_t>(*v);
  if (auto v = r.integer("Header.Toltec.ScanNum")) h.scannum = static_cast<std::int32_t>(*v);
  auto co = r.integer("Header.Toltec.TargSweepObsNum");
  auto cs = r.integer("Header.Toltec.TargSweepSubObsNum");
  auto cc = r.integer("Header.Toltec.TargSweepScanNum");
  if (co && (*co != 0 || cs.value_or(0) != 0 || cc.value_or(0) != 0)) {
    h.cal_obsnum = *co;
    h.cal_subobsnum = static_cast<std::int32_t>(cs.value_or(0));
    h.cal_scannum = static_cast<std::int32_t>(cc.value_or(0));
  }
  h.obs_start_time = header_time(r.number("Header.Toltec.ObsStartTime"), "Header.Toltec.ObsStartTime", h);
  h.obs_end_time = header_time(r.number("Header.Toltec.ObsEndTime"), "Header.Toltec.ObsEndTime", h);
  h.sample_freq = r.number("Header.Toltec.SampleFreq");
  h.lo_center_freq = r.number("Header.Toltec.LoCenterFreq");
  h.drive_atten = r.number("Header.Toltec.DriveAtten");
  h.sense_atten = r.number("Header.Toltec.SenseAtten");
  h.accum_len = r.number("Header.Toltec.AccumLen");
  h.fpga_freq = r.number("Header.Toltec.FpgaFreq");
  h.num_sweep_steps = r.integer("Header.Toltec.NumSweepSteps");
  h.num_samples_per_sweep_step = r.integer("Header.Toltec.NumSamplesPerSweepStep");
  if (h.obs_type) {
    if (auto k = data_kind_from_obs_type(*h.obs_type))
      h.data_kind = bits(*k);
    else
      h.problems.push_back(fmt::format("unknown Header.Toltec.ObsType {}", *h.obs_type));
  }
  int is = r.varid("Data.Toltec.Is");
  h.n_samples = r.first_dim_len(is);
  h.n_channels = r.last_dim_len(is);
  if (int lo = r.varid("Data.Toltec.LoFreq"); lo >= 0) {
    h.lo_freq = r.element(lo, 0);
    if (h.lo_freq && !(*h.lo_freq > 0))
      h.problems.push_back(fmt::format("Data.Toltec.LoFreq is {} (must be > 0)", *h.lo_freq));
  }
}

void read_telescope(const Reader& r, HeaderInfo& h, int teltime) {
  h.master = Master::tcs;
  h.data_kind = bits(DataKind::LmtTel);
  h.obsnum = r.integer("Header.Dcs.ObsNum");
  if (auto v = r.integer("Header.Dcs.SubObsNum")) h.subobsnum = static_cast<std::int32_t>(*v);
  if (auto v = r.integer("Header.Dcs.ScanNum")) h.scannum = static_cast<std::int32_t>(*v);
  TelescopeMeta& t = h.tel;
  t.obs_goal = r.text("Header.Dcs.ObsGoal");
  t.obs_pgm = r.text("Header.Dcs.ObsPgm");
  t.project_id = r.text("Header.Dcs.ProjectId");
  t.source_name = r.text("Header.Source.SourceName");
  t.integration_time = r.number("Header.Dcs.IntegrationTime");
  t.tau = r.number("Header.Radiometer.Tau");
  t.az_rad = r.number("Header.Telescope.AzDesPos");
  t.el_rad = r.number("Header.Telescope.ElDesPos");
  t.m2_x = r.number("Header.M2.XReq");
  t.m2_y = r.number("Header.M2.YReq");
  t.m2_z = r.number("Header.M2.ZReq");
  t.m1_zernike = r.numbers("Header.M1.ZernikeC", 64);
  t.az_user_off = r.number("Header.PointModel.AzUserOff");
  t.el_user_off = r.number("Header.PointModel.ElUserOff");
  t.az_paddle_off = r.number("Header.PointModel.AzPaddleOff");
  t.el_paddle_off = r.number("Header.PointModel.ElPaddleOff");
  if (auto v = r.integer("Header.Telescope.CraneInBeam")) t.crane_in_beam = static_cast<int>(*v);
  h.n_samples = r.first_dim_len(teltime);
  if (h.n_samples && *h.n_samples > 0) {
    if (auto v = r.element(teltime, 0); v && std::isfinite(*v) && *v > 0)
      h.obs_start_time = header_time(v, "Data.TelescopeBackend.TelTime[0]", h);
    if (auto v = r.element(teltime, static_cast<std::size_t>(*h.n_samples - 1)); v && std::isfinite(*v) && *v > 0)
      h.obs_end_time = header_time(v, "Data.TelescopeBackend.TelTime[last]", h);
  }
}

std::string format_name(int fmt) {
  switch (fmt) {
    case NC_FORMAT_CLASSIC: return "classic";
    case NC_FORMAT_64BIT_OFFSET: return "64bit_offset";
    case NC_FORMAT_CDF5: return "cdf5";
    case NC_FORMAT_NETCDF4: return "netcdf4";
    case NC_FORMAT_NETCDF4_CLASSIC: return "netcdf4_classic";
    default: return "unknown";
  }
}

}  // namespace

std::variant<HeaderInfo, HeaderError> read_header(const std::string& path) {
  off_t size = 0;
  Signature sig = Signature::none;
  if (auto err = precheck(path, size, sig)) return *err;

  HeaderInfo h;
  std::lock_guard lock(netcdf_mutex());
  quiet_hdf5_errors_for_this_thread();
  int ncid = -1;
  int st = nc_open(path.c_str(), NC_NOWRITE, &ncid);
  if (st != NC_NOERR) {
    if (st == EACCES || st == EPERM) return HeaderError{"permission denied"};
    return HeaderError{fmt::format("truncated or corrupt netCDF file ({} bytes): {}", size, nc_strerror(st))};
  }
  struct Closer {
    int id;
    ~Closer() { nc_close(id); }
  } closer{ncid};
  Reader r(ncid);

  int fmt = 0;
  if (nc_inq_format(ncid, &fmt) == NC_NOERR) h.format = format_name(fmt);

  if (int kid = r.varid("Header.Kids.kind"); kid >= 0) {
    h.file_class = FileClass::reduced;
    h.reduced_kind = r.text("Header.Kids.kind");
    read_network_ids(r, h);
    return h;
  }
  if (int tt = r.varid("Data.TelescopeBackend.TelTime"); tt >= 0) {
    h.file_class = FileClass::telescope;
    read_telescope(r, h, tt);
    return h;
  }
  if (r.varid("Header.Toltec.ObsType") >= 0 || r.varid("Header.Toltec.ObsNum") >= 0) {
    h.file_class = FileClass::network;
    read_network_ids(r, h);
    if (!h.n_samples) {
      int unlim = -1;
      std::size_t n = 0;
      if (nc_inq_unlimdim(ncid, &unlim) == NC_NOERR && unlim >= 0 && nc_inq_dimlen(ncid, unlim, &n) == NC_NOERR)
        h.n_samples = static_cast<std::int64_t>(n);
    }
    return h;
  }
  h.file_class = FileClass::unknown;
  return h;
}

std::vector<std::string> compare_with_name(const HeaderInfo& h, const ParsedName& n) {
  std::vector<std::string> out;
  const bool tel_name = n.kind == InterfaceKind::tel_toltec || n.kind == InterfaceKind::tel_toltec2;
  if (h.file_class == FileClass::telescope && !tel_name)
    out.push_back(fmt::format("telescope header in a {} file name", n.interface));
  if (h.file_class == FileClass::network && tel_name) out.push_back("network header in a telescope file name");
  const char* prefix = h.file_class == FileClass::telescope ? "Header.Dcs" : "Header.Toltec";
  if (h.obsnum && *h.obsnum != n.obsnum)
    out.push_back(fmt::format("{}.ObsNum {} differs from the name's obsnum {}", prefix, *h.obsnum, n.obsnum));
  if (h.subobsnum && *h.subobsnum != n.subobsnum)
    out.push_back(
        fmt::format("{}.SubObsNum {} differs from the name's subobsnum {}", prefix, *h.subobsnum, n.subobsnum));
  if (h.scannum && *h.scannum != n.scannum)
    out.push_back(fmt::format("{}.ScanNum {} differs from the name's scannum {}", prefix, *h.scannum, n.scannum));
  if (n.roach && h.roach && *n.roach != *h.roach)
    out.push_back(fmt::format("Header.Toltec.RoachIndex {} differs from the name's network {}", *h.roach, *n.roach));
  if (n.master && h.master && *n.master != *h.master)
    out.push_back(fmt::format("header master {} differs from the directory's {}", to_string(*h.master),
                              to_string(*n.master)));
  // A raw suffix names a kind; the header's ObsType must agree (no suffix: nominal timestream).
  if (h.file_class == FileClass::network && n.kind == InterfaceKind::toltec && h.data_kind != 0 && n.data_kind != 0 &&
      h.data_kind != n.data_kind)
    out.push_back(fmt::format("Header.Toltec.ObsType {} ({}) differs from the name's suffix '{}' ({})",
                              h.obs_type.value_or(-1), data_kind_names(h.data_kind), n.suffix,
                              data_kind_names(n.data_kind)));
  return out;
}

}  // namespace tolteca::files
