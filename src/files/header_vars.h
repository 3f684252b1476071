#pragma once
// Internal to files/ (read_header()): the netCDF variables a TolTEC header is read from, and Reader,
// typed access to them in one open file (numbers, integers, text, shapes) that reports a variable of
// the wrong type or shape as a problem instead of reading it. Every Reader method runs with
// files::netcdf_mutex() held by the caller.
#include <fmt/format.h>
#include <netcdf.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/bounds.h"

namespace tolteca::files::detail {

inline constexpr std::size_t kMaxText = 4096;

inline bool is_numeric(nc_type t) { return t != NC_CHAR && t != NC_STRING && t >= NC_BYTE && t <= NC_UINT64; }

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
inline constexpr const char* kWanted[] = {
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

inline const std::unordered_map<std::string_view, int>& wanted_index() {
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

}  // namespace tolteca::files::detail
