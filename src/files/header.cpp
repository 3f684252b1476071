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
#include <memory>
#include <string_view>
#include <unordered_map>
#include <dlfcn.h>
#include <vector>

#include "model/bounds.h"

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
std::optional<HeaderError> check_classic_size(int fd, off_t size, Signature sig, std::unique_ptr<unsigned char[]> buf,
                                              std::size_t have);
constexpr std::size_t kFirstRead = 16384;  // one read holds the signature and a typical netCDF-3 header

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
  const std::size_t want = std::min<std::size_t>(kFirstRead, static_cast<std::size_t>(size));
  std::unique_ptr<unsigned char[]> buf(new unsigned char[want]);  // not cleared: pread fills what is used
  ssize_t n = ::pread(fd, buf.get(), want, 0);
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
  } else if (n >= 8 && std::memcmp(buf.get(), kHdf5, 8) == 0) {
    sig = Signature::hdf5;
  }
  if (sig == Signature::none) {
    ::close(fd);
    if (n < 4) return HeaderError{fmt::format("not a netCDF file (only {} bytes)", n)};
    return HeaderError{"not a netCDF file (no netCDF/HDF5 signature)"};
  }
  std::optional<HeaderError> err;
  if (sig != Signature::hdf5) err = check_classic_size(fd, size, sig, std::move(buf), static_cast<std::size_t>(n));
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

bool is_numeric(nc_type t) { return t != NC_CHAR && t != NC_STRING && t >= NC_BYTE && t <= NC_UINT64; }

// The variables read_header looks at. nc_inq_varid normalises every name it is given (UTF-8 NFC),
// which costs more than the rest of a netCDF-3 header read; one pass of nc_inq_varname over the file's
// variables, matched against this table, finds them all for a fraction of that.
enum V : int {
  kHeader_Toltec_ObsType,
  kHeader_Toltec_Master,
  kHeader_Toltec_RoachIndex,
  kHeader_Toltec_ObsNum,
  kHeader_Toltec_SubObsNum,
  kHeader_Toltec_ScanNum,
  kHeader_Toltec_TargSweepObsNum,
  kHeader_Toltec_TargSweepSubObsNum,
  kHeader_Toltec_TargSweepScanNum,
  kHeader_Toltec_ObsStartTime,
  kHeader_Toltec_ObsEndTime,
  kHeader_Toltec_SampleFreq,
  kHeader_Toltec_LoCenterFreq,
  kHeader_Toltec_DriveAtten,
  kHeader_Toltec_SenseAtten,
  kHeader_Toltec_AccumLen,
  kHeader_Toltec_FpgaFreq,
  kHeader_Toltec_NumSweepSteps,
  kHeader_Toltec_NumSamplesPerSweepStep,
  kData_Toltec_Is,
  kData_Toltec_LoFreq,
  kHeader_Kids_kind,
  kData_TelescopeBackend_TelTime,
  kHeader_Dcs_ObsNum,
  kHeader_Dcs_SubObsNum,
  kHeader_Dcs_ScanNum,
  kHeader_Dcs_ObsGoal,
  kHeader_Dcs_ObsPgm,
  kHeader_Dcs_ProjectId,
  kHeader_Source_SourceName,
  kHeader_Dcs_IntegrationTime,
  kHeader_Radiometer_Tau,
  kHeader_Telescope_AzDesPos,
  kHeader_Telescope_ElDesPos,
  kHeader_M2_XReq,
  kHeader_M2_YReq,
  kHeader_M2_ZReq,
  kHeader_M1_ZernikeC,
  kHeader_PointModel_AzUserOff,
  kHeader_PointModel_ElUserOff,
  kHeader_PointModel_AzPaddleOff,
  kHeader_PointModel_ElPaddleOff,
  kHeader_Telescope_CraneInBeam,
  kNumWanted
};
constexpr const char* kWanted[] = {
    "Header.Toltec.ObsType", "Header.Toltec.Master", "Header.Toltec.RoachIndex", "Header.Toltec.ObsNum",
    "Header.Toltec.SubObsNum", "Header.Toltec.ScanNum", "Header.Toltec.TargSweepObsNum",
    "Header.Toltec.TargSweepSubObsNum", "Header.Toltec.TargSweepScanNum", "Header.Toltec.ObsStartTime",
    "Header.Toltec.ObsEndTime", "Header.Toltec.SampleFreq", "Header.Toltec.LoCenterFreq", "Header.Toltec.DriveAtten",
    "Header.Toltec.SenseAtten", "Header.Toltec.AccumLen", "Header.Toltec.FpgaFreq", "Header.Toltec.NumSweepSteps",
    "Header.Toltec.NumSamplesPerSweepStep", "Data.Toltec.Is", "Data.Toltec.LoFreq", "Header.Kids.kind",
    "Data.TelescopeBackend.TelTime", "Header.Dcs.ObsNum", "Header.Dcs.SubObsNum", "Header.Dcs.ScanNum",
    "Header.Dcs.ObsGoal", "Header.Dcs.ObsPgm", "Header.Dcs.ProjectId", "Header.Source.SourceName",
    "Header.Dcs.IntegrationTime", "Header.Radiometer.Tau", "Header.Telescope.AzDesPos", "Header.Telescope.ElDesPos",
    "Header.M2.XReq", "Header.M2.YReq", "Header.M2.ZReq", "Header.M1.ZernikeC", "Header.PointModel.AzUserOff",
    "Header.PointModel.ElUserOff", "Header.PointModel.AzPaddleOff", "Header.PointModel.ElPaddleOff",
    "Header.Telescope.CraneInBeam",
};
static_assert(sizeof kWanted / sizeof kWanted[0] == kNumWanted);

const std::unordered_map<std::string_view, int>& wanted_index() {
  static const std::unordered_map<std::string_view, int> m = [] {
    std::unordered_map<std::string_view, int> out;
    for (int i = 0; i < kNumWanted; ++i) out.emplace(kWanted[i], i);
    return out;
  }();
  return m;
}

// One open file; every method runs with netcdf_mutex() held by the caller.
class Reader {
 public:
  // netCDF-3: one nc_inq_varname pass (names are in memory; nc_inq_varid would normalise each one).
  // netCDF-4: nc_inq_varname loads each variable's HDF5 metadata, so names are looked up on demand.
  Reader(int ncid, bool scan_names) : ncid_(ncid) {
    std::fill(std::begin(ids_), std::end(ids_), scan_names ? -1 : -2);
    if (!scan_names) return;
    int nvars = 0;
    if (nc_inq_nvars(ncid_, &nvars) != NC_NOERR) return;
    const auto& index = wanted_index();
    char name[NC_MAX_NAME + 1];
    for (int id = 0; id < nvars; ++id) {
      if (nc_inq_varname(ncid_, id, name) != NC_NOERR) continue;
      auto it = index.find(std::string_view(name));
      if (it != index.end() && ids_[it->second] < 0) ids_[it->second] = id;
    }
  }

  int varid(V v) const {
    if (ids_[v] == -2) {
      int id = -1;
      ids_[v] = nc_inq_varid(ncid_, kWanted[v], &id) == NC_NOERR ? id : -1;
    }
    return ids_[v];
  }

  // Header variables have few dimensions; anything above kMaxDims is not one we read. (Arrays sized
  // NC_MAX_VAR_DIMS would cost a 12 KB clear per variable.)
  static constexpr int kMaxDims = 8;
  struct Shape {
    nc_type type = NC_NAT;
    int ndims = 0;
    int dimids[kMaxDims];
    std::size_t len[kMaxDims];
    std::size_t total = 1;
  };

  bool shape(int id, Shape& s) const {
    if (id < 0 || nc_inq_varndims(ncid_, id, &s.ndims) != NC_NOERR || s.ndims > kMaxDims) return false;
    if (nc_inq_var(ncid_, id, nullptr, &s.type, nullptr, s.dimids, nullptr) != NC_NOERR) return false;
    s.total = 1;
    for (int i = 0; i < s.ndims; ++i) {
      if (nc_inq_dimlen(ncid_, s.dimids[i], &s.len[i]) != NC_NOERR) return false;
      s.total *= s.len[i];
    }
    return true;
  }

  // Where number() and integer() report a variable that exists but holds no usable single number.
  void report_to(std::vector<std::string>& problems) { problems_ = &problems; }

  // A 0-d or length-1 numeric variable, any type, finite. A variable of another type or shape, or
  // holding NaN/Inf, is reported (see report_to) and read as absent.
  std::optional<double> number(V name) const {
    int id = varid(name);
    if (id < 0) return std::nullopt;
    Shape s;
    if (!single_number(name, id, s)) return std::nullopt;
    static constexpr std::size_t kZero[kMaxDims] = {};
    double v = 0;
    if (nc_get_var1_double(ncid_, id, kZero, &v) != NC_NOERR) return std::nullopt;
    return bounds::check_finite(v, kWanted[name], problems());
  }

  // As number(), for integer fields: a float variable must hold an integral value, an unsigned one
  // must fit int64 (reported otherwise, never rounded or wrapped).
  std::optional<std::int64_t> integer(V name) const {
    int id = varid(name);
    if (id < 0) return std::nullopt;
    Shape s;
    if (!single_number(name, id, s)) return std::nullopt;
    static constexpr std::size_t kZero[kMaxDims] = {};
    if (s.type == NC_FLOAT || s.type == NC_DOUBLE) {
      double v = 0;
      if (nc_get_var1_double(ncid_, id, kZero, &v) != NC_NOERR) return std::nullopt;
      if (!std::isfinite(v) || std::fabs(v) > 9e15 || v != std::trunc(v)) {
        problems().push_back(fmt::format("{} {} is not an integer", kWanted[name], bounds::format_value(v)));
        return std::nullopt;
      }
      return static_cast<std::int64_t>(v);
    }
    if (s.type == NC_UINT64) {
      unsigned long long u = 0;
      if (nc_get_var1_ulonglong(ncid_, id, kZero, &u) != NC_NOERR) return std::nullopt;
      if (u > static_cast<unsigned long long>(INT64_MAX)) {
        problems().push_back(fmt::format("{} {} is out of range of a 64-bit integer", kWanted[name], u));
        return std::nullopt;
      }
      return static_cast<std::int64_t>(u);
    }
    long long v = 0;
    if (nc_get_var1_longlong(ncid_, id, kZero, &v) != NC_NOERR) return std::nullopt;
    return static_cast<std::int64_t>(v);
  }

  // An NC_CHAR array (first row of a 2-d array) padded with spaces or NULs, or a scalar NC_STRING.
  std::optional<std::string> text(V name) const {
    int id = varid(name);
    if (id < 0) return std::nullopt;
    Shape s;
    if (!shape(id, s)) return std::nullopt;
    std::string out;
    static constexpr std::size_t kZero[kMaxDims] = {};
    if (s.type == NC_CHAR) {
      std::size_t row = s.ndims == 0 ? 1 : s.len[s.ndims - 1];
      if (row == 0 || s.total == 0) return std::string();
      row = std::min(row, kMaxText);
      std::size_t count[kMaxDims];
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
  std::vector<double> numbers(V name, std::size_t max) const {
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
    std::size_t index[kMaxDims] = {};
    index[0] = i;
    double v = 0;
    if (nc_get_var1_double(ncid_, id, index, &v) != NC_NOERR) return std::nullopt;
    return v;
  }

 private:
  std::vector<std::string>& problems() const { return problems_ ? *problems_ : ignored_; }
  // A numeric 0-d or length-1 variable; otherwise reported as the wrong type or shape.
  bool single_number(V name, int id, Shape& s) const {
    if (!shape(id, s)) return false;
    if (!is_numeric(s.type)) {
      const bool text = s.type == NC_CHAR || s.type == NC_STRING;
      problems().push_back(fmt::format("{} is not a number ({})", kWanted[name],
                                       text ? std::string("text") : fmt::format("netCDF type {}", int(s.type))));
      return false;
    }
    if (s.total != 1) {
      problems().push_back(fmt::format("{} holds {} values, not one", kWanted[name], s.total));
      return false;
    }
    return true;
  }

  int ncid_;
  mutable int ids_[kNumWanted];
  std::vector<std::string>* problems_ = nullptr;
  mutable std::vector<std::string> ignored_;
};

using bounds::check_int;

// The quartet numbers (Header.Toltec.* or Header.Dcs.*), range-checked before any narrowing: a value
// outside the domain is a problem and is not stored (SubObsNum 2^32 never becomes 0).
void read_quartet_ids(const Reader& r, HeaderInfo& h, V obsnum, V subobsnum, V scannum) {
  auto& p = h.problems;
  h.obsnum = check_int(r.integer(obsnum), kWanted[obsnum], 0, bounds::kMaxObsNum, p);
  if (auto v = check_int(r.integer(subobsnum), kWanted[subobsnum], 0, bounds::kMaxSubObsNum, p))
    h.subobsnum = static_cast<std::int32_t>(*v);
  if (auto v = check_int(r.integer(scannum), kWanted[scannum], 0, bounds::kMaxScanNum, p))
    h.scannum = static_cast<std::int32_t>(*v);
}

// The TargSweep ("cal") pointer: all three parts in range, else no pointer at all (a problem).
void read_cal_pointer(const Reader& r, HeaderInfo& h) {
  auto& p = h.problems;
  const std::size_t before = p.size();
  auto co = check_int(r.integer(kHeader_Toltec_TargSweepObsNum), kWanted[kHeader_Toltec_TargSweepObsNum], 0,
                      bounds::kMaxObsNum, p);
  auto cs = check_int(r.integer(kHeader_Toltec_TargSweepSubObsNum), kWanted[kHeader_Toltec_TargSweepSubObsNum], 0,
                      bounds::kMaxSubObsNum, p);
  auto cc = check_int(r.integer(kHeader_Toltec_TargSweepScanNum), kWanted[kHeader_Toltec_TargSweepScanNum], 0,
                      bounds::kMaxScanNum, p);
  if (p.size() != before) return;
  if (co && (*co != 0 || cs.value_or(0) != 0 || cc.value_or(0) != 0)) {
    h.cal_obsnum = *co;
    h.cal_subobsnum = static_cast<std::int32_t>(cs.value_or(0));
    h.cal_scannum = static_cast<std::int32_t>(cc.value_or(0));
  }
}

void read_network_ids(const Reader& r, HeaderInfo& h, UnixMicros now) {
  auto& p = h.problems;
  if (auto v = check_int(r.integer(kHeader_Toltec_ObsType), kWanted[kHeader_Toltec_ObsType], 0, bounds::kMaxObsType, p)) {
    h.obs_type = static_cast<int>(*v);
    h.data_kind = bits(*data_kind_from_obs_type(*v));
  }
  if (auto v = check_int(r.integer(kHeader_Toltec_Master), kWanted[kHeader_Toltec_Master], 0, bounds::kMaxMasterCode, p))
    h.master = master_from_code(*v);
  if (auto v = check_int(r.integer(kHeader_Toltec_RoachIndex), kWanted[kHeader_Toltec_RoachIndex], 0, bounds::kMaxRoach, p))
    h.roach = static_cast<int>(*v);
  read_quartet_ids(r, h, kHeader_Toltec_ObsNum, kHeader_Toltec_SubObsNum, kHeader_Toltec_ScanNum);
  read_cal_pointer(r, h);
  h.obs_start_time = bounds::check_time_seconds(r.number(kHeader_Toltec_ObsStartTime), "Header.Toltec.ObsStartTime", now, p);
  h.obs_end_time = bounds::check_time_seconds(r.number(kHeader_Toltec_ObsEndTime), "Header.Toltec.ObsEndTime", now, p);
  h.sample_freq = bounds::check_at_least(r.number(kHeader_Toltec_SampleFreq), "Header.Toltec.SampleFreq", 0, true, p);
  h.lo_center_freq = r.number(kHeader_Toltec_LoCenterFreq);
  h.drive_atten = r.number(kHeader_Toltec_DriveAtten);
  h.sense_atten = r.number(kHeader_Toltec_SenseAtten);
  h.accum_len = r.number(kHeader_Toltec_AccumLen);
  h.fpga_freq = r.number(kHeader_Toltec_FpgaFreq);
  h.num_sweep_steps = check_int(r.integer(kHeader_Toltec_NumSweepSteps), kWanted[kHeader_Toltec_NumSweepSteps], 0,
                                INT32_MAX, p);
  h.num_samples_per_sweep_step = check_int(r.integer(kHeader_Toltec_NumSamplesPerSweepStep),
                                           kWanted[kHeader_Toltec_NumSamplesPerSweepStep], 0, INT32_MAX, p);
  int is = r.varid(kData_Toltec_Is);
  h.n_samples = r.first_dim_len(is);
  h.n_channels = r.last_dim_len(is);
  if (int lo = r.varid(kData_Toltec_LoFreq); lo >= 0) {
    h.lo_freq = bounds::check_finite(r.element(lo, 0), "Data.Toltec.LoFreq", p);
    if (h.lo_freq && !(*h.lo_freq > 0))
      h.problems.push_back(fmt::format("Data.Toltec.LoFreq is {} (must be > 0)", *h.lo_freq));
  }
}

void read_telescope(const Reader& r, HeaderInfo& h, int teltime, UnixMicros now) {
  auto& p = h.problems;
  h.master = Master::tcs;
  h.data_kind = bits(DataKind::LmtTel);
  read_quartet_ids(r, h, kHeader_Dcs_ObsNum, kHeader_Dcs_SubObsNum, kHeader_Dcs_ScanNum);
  TelescopeMeta& t = h.tel;
  t.obs_goal = r.text(kHeader_Dcs_ObsGoal);
  t.obs_pgm = r.text(kHeader_Dcs_ObsPgm);
  t.project_id = r.text(kHeader_Dcs_ProjectId);
  t.source_name = r.text(kHeader_Source_SourceName);
  t.integration_time = bounds::check_at_least(r.number(kHeader_Dcs_IntegrationTime), "Header.Dcs.IntegrationTime", 0,
                                              false, p);
  t.tau = bounds::check_at_least(r.number(kHeader_Radiometer_Tau), "Header.Radiometer.Tau", 0, false, p);
  t.az_rad = r.number(kHeader_Telescope_AzDesPos);
  t.el_rad = r.number(kHeader_Telescope_ElDesPos);
  t.m2_x = r.number(kHeader_M2_XReq);
  t.m2_y = r.number(kHeader_M2_YReq);
  t.m2_z = r.number(kHeader_M2_ZReq);
  t.m1_zernike = r.numbers(kHeader_M1_ZernikeC, 64);
  for (double z : t.m1_zernike)
    if (!std::isfinite(z)) {
      p.push_back(fmt::format("Header.M1.ZernikeC holds {} (not a finite number)", bounds::format_value(z)));
      t.m1_zernike.clear();
      break;
    }
  t.az_user_off = r.number(kHeader_PointModel_AzUserOff);
  t.el_user_off = r.number(kHeader_PointModel_ElUserOff);
  t.az_paddle_off = r.number(kHeader_PointModel_AzPaddleOff);
  t.el_paddle_off = r.number(kHeader_PointModel_ElPaddleOff);
  if (auto v = check_int(r.integer(kHeader_Telescope_CraneInBeam), "Header.Telescope.CraneInBeam", INT32_MIN, INT32_MAX, p))
    t.crane_in_beam = static_cast<int>(*v);
  h.n_samples = r.first_dim_len(teltime);
  if (h.n_samples && *h.n_samples > 0) {
    h.obs_start_time = bounds::check_time_seconds(r.element(teltime, 0), "Data.TelescopeBackend.TelTime[0]", now, p);
    h.obs_end_time = bounds::check_time_seconds(r.element(teltime, static_cast<std::size_t>(*h.n_samples - 1)),
                                                "Data.TelescopeBackend.TelTime[last]", now, p);
  }
}

// The name handed to nc_open. libhdf5 cannot open some legal names (a backslash anywhere in the path, issue
// 12 case 10); such a file is opened here and the library gets /proc/self/fd/N, which names the same
// open file. The descriptor closes with this object (after nc_close: declare it first).
struct LibraryPath {
  std::string name;
  int fd = -1;
  explicit LibraryPath(const std::string& path) : name(path) {
    if (path.find('\\') == std::string::npos) return;
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    std::string proc = "/proc/self/fd/" + std::to_string(fd);
    if (::access(proc.c_str(), R_OK) == 0) {
      name = std::move(proc);
    } else {
      ::close(fd);
      fd = -1;
    }
  }
  ~LibraryPath() {
    if (fd >= 0) ::close(fd);
  }
  LibraryPath(const LibraryPath&) = delete;
  LibraryPath& operator=(const LibraryPath&) = delete;
};

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
  LibraryPath lib(path);
  int ncid = -1;
  int st = nc_open(lib.name.c_str(), NC_NOWRITE, &ncid);
  if (st != NC_NOERR) {
    if (st == EACCES || st == EPERM) return HeaderError{"permission denied"};
    if (lib.fd < 0 && path.find('\\') != std::string::npos)
      return HeaderError{fmt::format("the netCDF/HDF5 library cannot open a path that contains '\\' ({}); rename "
                                     "the directory or file",
                                     nc_strerror(st))};
    return HeaderError{fmt::format("truncated or corrupt netCDF file ({} bytes): {}", size, nc_strerror(st))};
  }
  struct Closer {
    int id;
    ~Closer() { nc_close(id); }
  } closer{ncid};
  Reader r(ncid, sig != Signature::hdf5);
  r.report_to(h.problems);
  const UnixMicros now = bounds::now_micros();

  int fmt = 0;
  if (nc_inq_format(ncid, &fmt) == NC_NOERR) h.format = format_name(fmt);

  if (int kid = r.varid(kHeader_Kids_kind); kid >= 0) {
    h.file_class = FileClass::reduced;
    h.reduced_kind = r.text(kHeader_Kids_kind);
    read_network_ids(r, h, now);
    return h;
  }
  if (int tt = r.varid(kData_TelescopeBackend_TelTime); tt >= 0) {
    h.file_class = FileClass::telescope;
    read_telescope(r, h, tt, now);
    return h;
  }
  if (r.varid(kHeader_Toltec_ObsType) >= 0 || r.varid(kHeader_Toltec_ObsNum) >= 0) {
    h.file_class = FileClass::network;
    read_network_ids(r, h, now);
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
