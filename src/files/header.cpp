// netCDF header reading, see header.h.
#include "files/header.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <netcdf.h>
#include <unistd.h>

#include <cmath>
#include <string_view>
#include <vector>

#include "files/header_precheck.h"
#include "files/header_vars.h"
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

using namespace detail;

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
  UniqueFd fd;
  LibraryPath(Env& env, const std::string& path) : name(path) {
    if (path.find('\\') == std::string::npos) return;
    fd = env.open_read(path);
    if (!fd) return;
    std::string proc = "/proc/self/fd/" + std::to_string(fd.get());
    if (::access(proc.c_str(), R_OK) == 0)
      name = std::move(proc);
    else
      fd.reset();
  }
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

std::variant<HeaderInfo, HeaderError> read_header(const std::string& path) { return read_header(path, Env::Default()); }

std::variant<HeaderInfo, HeaderError> read_header(const std::string& path, Env& env) {
  off_t size = 0;
  Signature sig = Signature::none;
  if (auto err = precheck(env, path, size, sig)) return *err;

  HeaderInfo h;
  std::lock_guard lock(netcdf_mutex());
  quiet_hdf5_errors_for_this_thread();
  LibraryPath lib(env, path);
  int ncid = -1;
  int st = env.nc_open_read(lib.name, &ncid);
  if (st != NC_NOERR) {
    if (st == EACCES || st == EPERM) return HeaderError{"permission denied"};
    if (!lib.fd && path.find('\\') != std::string::npos)
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