#pragma once
// Writers for tiny but structurally faithful TolTEC netCDF files: network (toltecN), hwpr, telescope
// (tel_toltec) and reduced files, with the header variables of the spec. Used by the simulator and by
// tests. Files are small (a few channels, tens of samples).
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "model/master.h"
#include "sim/netcdf_writer.h"

namespace tolteca::sim {

// How header numbers and strings are laid out, to exercise every form readers must accept.
struct HeaderStyle {
  bool length1 = false;  // numbers as length-1 arrays of assorted types (else 0-d of the natural type)
  char pad = ' ';        // string padding: ' ' or '\0'
};

struct NetworkFileSpec {
  NcFormat format = NcFormat::classic;
  HeaderStyle style;
  bool hwpr = false;  // hwpr file: same id variables, no RoachIndex, Data.Hwp.* instead of Data.Toltec.*
  int obs_type = 1;   // 0 nominal, 1 timestream, 2 VNA, 3 TARG, 4 TUNE
  Master master = Master::ics;
  int roach = 0;
  std::int64_t obsnum = 0;
  int subobsnum = 0, scannum = 0;
  std::int64_t cal_obsnum = 0;  // TargSweep pointer, 0-0-0 = none
  int cal_subobsnum = 0, cal_scannum = 0;
  double obs_start = 0, obs_end = 0;  // unix seconds
  double sample_freq = 122.0703125;
  double lo_center_freq = 700e6, drive_atten = 10, sense_atten = 10;
  double accum_len = 524288, fpga_freq = 512e6;
  int num_sweep_steps = 0, num_samples_per_sweep_step = 0;
  int n_channels = 4, n_samples = 20;
  double lo_freq = 700e6;  // Data.Toltec.LoFreq value (0 makes the "LoFreq 0" bad case)
  std::optional<std::string> reduced_kind;  // Header.Kids.kind: a reduced file
  std::uint64_t seed = 1;  // data values
};

struct TelFileSpec {
  NcFormat format = NcFormat::classic;
  HeaderStyle style;
  std::int64_t obsnum = 0;
  int subobsnum = 0, scannum = 0;
  std::string obs_goal = "science", obs_pgm = "Map", project_id = "2024-S1-US-1", source_name = "Source";
  double integration_time = 30, tau = 0.1, az_rad = 1.0, el_rad = 0.9;
  double m2_x = 0, m2_y = 0, m2_z = 0;
  std::array<double, 7> zernike{};
  double az_user_off = 0, el_user_off = 0, az_paddle_off = 0, el_paddle_off = 0;
  int crane_in_beam = 0;
  double start_time = 0;  // unix seconds of the first TelTime sample
  int n_samples = 20;
  double sample_rate = 64;
};

// Both throw std::runtime_error naming the file on failure.
void write_network_file(const std::string& path, const NetworkFileSpec& spec);
void write_tel_file(const std::string& path, const TelFileSpec& spec);

}  // namespace tolteca::sim
