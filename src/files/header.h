#pragma once
// netCDF header reading for TolTEC files (network, hwpr, telescope, reduced).
// netCDF-C is NOT thread-safe: every call into it goes through netcdf_mutex().
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "files/env.h"
#include "files/filename.h"
#include "model/data_kind.h"
#include "model/master.h"
#include "model/time.h"

namespace tolteca::files {

// The one lock that serialises all netCDF-C calls in this process.
std::mutex& netcdf_mutex();
// Turns off HDF5's automatic error-stack printing for the calling thread (call with the lock held).
void quiet_hdf5_errors_for_this_thread();

enum class FileClass : std::uint8_t { network, telescope, reduced, unknown };

struct TelescopeMeta {
  std::optional<std::string> obs_goal, obs_pgm, project_id, source_name;
  std::optional<double> integration_time, tau, az_rad, el_rad;
  std::optional<double> m2_x, m2_y, m2_z;  // mm
  std::vector<double> m1_zernike;           // micron, 7 values when present
  std::optional<double> az_user_off, el_user_off, az_paddle_off, el_paddle_off;  // rad
  std::optional<int> crane_in_beam;
  bool operator==(const TelescopeMeta&) const = default;
};

struct HeaderInfo {
  FileClass file_class = FileClass::unknown;
  std::string format;  // "classic", "64bit_offset", "cdf5", "netcdf4", "netcdf4_classic"
  // Ids (network/hwpr: Header.Toltec.*; telescope: Header.Dcs.*)
  std::optional<int> obs_type;
  std::optional<Master> master;
  std::optional<int> roach;
  std::optional<std::int64_t> obsnum;
  std::optional<std::int32_t> subobsnum, scannum;
  std::optional<std::int64_t> cal_obsnum;  // TargSweep pointer; nullopt when 0-0-0 or absent
  std::optional<std::int32_t> cal_subobsnum, cal_scannum;
  std::optional<UnixMicros> obs_start_time, obs_end_time;
  std::optional<double> sample_freq, lo_center_freq, drive_atten, sense_atten;
  std::optional<std::int64_t> n_samples;     // length of the time dimension
  std::optional<std::string> reduced_kind;   // Header.Kids.kind
  DataKindBits data_kind = 0;                // from ObsType / telescope file
  TelescopeMeta tel;
  // Additional readout settings (network files; absent elsewhere).
  std::optional<double> accum_len, fpga_freq;
  std::optional<std::int64_t> num_sweep_steps, num_samples_per_sweep_step;
  std::optional<std::int64_t> n_channels;    // length of the last dimension of Data.Toltec.Is
  std::optional<double> lo_freq;             // first sample of Data.Toltec.LoFreq (one element is read)
  // Problems inside the file that do not prevent reading it (kept, flagged): "LoFreq is 0", "unknown
  // ObsType 9", "RoachIndex 17 out of range", … Name/header disagreements come from compare_with_name().
  std::vector<std::string> problems;
  bool operator==(const HeaderInfo&) const = default;
};

struct HeaderError {
  std::string reason;  // "not a netCDF file", "truncated or corrupt: …", "permission denied", "empty file" …
  bool operator==(const HeaderError&) const = default;
};

// Reads the header facts; never reads data arrays (one element of LoFreq / TelTime at most).
// Thread-safe (locks netcdf_mutex() around the netCDF part only). Never throws for a bad file: a file
// that cannot be read gives a HeaderError with a clear reason; a readable netCDF file that is not a
// TolTEC file gives FileClass::unknown.
std::variant<HeaderInfo, HeaderError> read_header(const std::string& path);
// The same, with its I/O (the pre-checks' open, netCDF-C's open) through env (files/env.h): how a test
// injects faults. read_header(path) is read_header(path, Env::Default()).
std::variant<HeaderInfo, HeaderError> read_header(const std::string& path, Env& env);

inline const HeaderInfo* as_header(const std::variant<HeaderInfo, HeaderError>& r) {
  return std::get_if<HeaderInfo>(&r);
}
inline const HeaderError* as_error(const std::variant<HeaderInfo, HeaderError>& r) {
  return std::get_if<HeaderError>(&r);
}
const HeaderInfo* as_header(std::variant<HeaderInfo, HeaderError>&&) = delete;  // would dangle
const HeaderError* as_error(std::variant<HeaderInfo, HeaderError>&&) = delete;

std::string_view to_string(FileClass c);

// Disagreements between the header and the file name (empty when they agree): obsnum, subobsnum,
// scannum, network, master (when both know it), the kind of a raw suffix vs ObsType, and a telescope
// header under a non-telescope name (or the reverse). Each is one human-readable line.
std::vector<std::string> compare_with_name(const HeaderInfo& header, const ParsedName& name);

}  // namespace tolteca::files
