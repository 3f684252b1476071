#include "sim/toltec_writer.h"

#include <cmath>
#include <vector>

namespace tolteca::sim {

namespace {

constexpr std::size_t kStrLen = 32;

bool classic_model(NcFormat f) { return f != NcFormat::netcdf4; }

// Small deterministic generator for data values.
struct Lcg {
  std::uint64_t s;
  std::int32_t next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::int32_t>(s >> 40) - (1 << 23);
  }
};

struct Num {
  const char* name;
  NcType natural;    // 0-d style
  NcType length1;    // length-1 style, classic model
  NcType length1_4;  // length-1 style, netCDF-4 (extended types allowed)
  double value;
};

// Defines header numbers/strings, then writes them after end_def().
class HeaderBlock {
 public:
  HeaderBlock(NcWriter& w, const HeaderStyle& style, NcFormat fmt) : w_(w), style_(style), fmt_(fmt) {
    if (style.length1) one_ = w.def_dim("one", 1);
  }
  void num(const Num& n) {
    NcType t = !style_.length1 ? n.natural : classic_model(fmt_) ? n.length1 : n.length1_4;
    std::vector<int> dims;
    if (style_.length1) dims.push_back(one_);
    nums_.push_back({w_.def_var(n.name, t, dims), n.value, t});
  }
  void str(const char* name, const std::string& value) {
    int d = w_.def_dim(std::string(name) + "_slen", kStrLen);
    strs_.push_back({w_.def_var(name, NcType::char_, {d}), value});
  }
  void write() {
    for (const auto& n : nums_) {
      if (n.type == NcType::int64 || n.type == NcType::uint64)
        w_.put_int64(n.id, static_cast<std::int64_t>(std::llround(n.value)));
      else
        w_.put_number(n.id, n.value);
    }
    for (const auto& s : strs_) w_.put_text(s.id, s.value, kStrLen, style_.pad);
  }

 private:
  struct N {
    int id;
    double value;
    NcType type;
  };
  struct S {
    int id;
    std::string value;
  };
  NcWriter& w_;
  HeaderStyle style_;
  NcFormat fmt_;
  int one_ = -1;
  std::vector<N> nums_;
  std::vector<S> strs_;
};

using T = NcType;

}  // namespace

void write_network_file(const std::string& path, const NetworkFileSpec& s) {
  NcWriter w(path, s.format);
  w.put_att_text(-1, "source", "tolteca_db simulate");
  HeaderBlock h(w, s.style, s.format);
  h.num({"Header.Toltec.ObsType", T::int_, T::byte_, T::ubyte, double(s.obs_type)});
  h.num({"Header.Toltec.Master", T::int_, T::short_, T::ushort, double(static_cast<int>(s.master))});
  if (!s.hwpr) h.num({"Header.Toltec.RoachIndex", T::int_, T::byte_, T::uint, double(s.roach)});
  h.num({"Header.Toltec.ObsNum", T::int_, T::double_, T::int64, double(s.obsnum)});
  h.num({"Header.Toltec.SubObsNum", T::int_, T::short_, T::uint64, double(s.subobsnum)});
  h.num({"Header.Toltec.ScanNum", T::int_, T::float_, T::ushort, double(s.scannum)});
  h.num({"Header.Toltec.TargSweepObsNum", T::int_, T::double_, T::int64, double(s.cal_obsnum)});
  h.num({"Header.Toltec.TargSweepSubObsNum", T::int_, T::short_, T::short_, double(s.cal_subobsnum)});
  h.num({"Header.Toltec.TargSweepScanNum", T::int_, T::short_, T::ubyte, double(s.cal_scannum)});
  h.num({"Header.Toltec.ObsStartTime", T::double_, T::double_, T::double_, s.obs_start});
  h.num({"Header.Toltec.ObsEndTime", T::double_, T::double_, T::double_, s.obs_end});
  h.num({"Header.Toltec.SampleFreq", T::double_, T::float_, T::float_, s.sample_freq});
  h.num({"Header.Toltec.LoCenterFreq", T::double_, T::double_, T::double_, s.lo_center_freq});
  h.num({"Header.Toltec.DriveAtten", T::double_, T::float_, T::float_, s.drive_atten});
  h.num({"Header.Toltec.SenseAtten", T::double_, T::float_, T::float_, s.sense_atten});
  h.num({"Header.Toltec.AccumLen", T::int_, T::int_, T::uint, s.accum_len});
  h.num({"Header.Toltec.FpgaFreq", T::double_, T::double_, T::double_, s.fpga_freq});
  if (s.obs_type >= 2) {
    h.num({"Header.Toltec.NumSweepSteps", T::int_, T::short_, T::ushort, double(s.num_sweep_steps)});
    h.num({"Header.Toltec.NumSamplesPerSweepStep", T::int_, T::short_, T::ushort,
           double(s.num_samples_per_sweep_step)});
  }
  if (s.reduced_kind) h.str("Header.Kids.kind", *s.reduced_kind);

  const int time = w.def_dim("time", 0);
  const std::size_t nt = static_cast<std::size_t>(s.n_samples);
  const std::size_t nc = static_cast<std::size_t>(s.n_channels);
  int is = -1, qs = -1, ts = -1, recv = -1, lo = -1, angle = -1;
  if (s.hwpr) {
    recv = w.def_var("Data.Hwp.RecvTime", T::double_, {time});
    angle = w.def_var("Data.Hwp.Angle", T::double_, {time});
  } else {
    const int iq = w.def_dim("iqlen", nc);
    const int tlen = w.def_dim("tlen", 6);
    is = w.def_var("Data.Toltec.Is", T::int_, {time, iq});
    qs = w.def_var("Data.Toltec.Qs", T::int_, {time, iq});
    ts = w.def_var("Data.Toltec.Ts", T::int_, {time, tlen});
    recv = w.def_var("Data.Toltec.RecvTime", T::double_, {time});
    lo = w.def_var("Data.Toltec.LoFreq", T::double_, {time});
  }
  w.end_def();
  h.write();

  if (nt > 0) {
    Lcg g{s.seed * 2654435761ULL + 12345};
    std::vector<double> t(nt);
    for (std::size_t i = 0; i < nt; ++i) t[i] = s.obs_start + double(i) / (s.sample_freq > 0 ? s.sample_freq : 1);
    w.put_doubles(recv, {0}, {nt}, t.data());
    if (s.hwpr) {
      std::vector<double> a(nt);
      for (std::size_t i = 0; i < nt; ++i) a[i] = std::fmod(double(i) * 0.2, 6.283185307179586);
      w.put_doubles(angle, {0}, {nt}, a.data());
    } else {
      std::vector<std::int32_t> iq(nt * nc);
      for (auto& v : iq) v = g.next();
      w.put_ints(is, {0, 0}, {nt, nc}, iq.data());
      for (auto& v : iq) v = g.next();
      w.put_ints(qs, {0, 0}, {nt, nc}, iq.data());
      std::vector<std::int32_t> tsv(nt * 6);
      for (std::size_t i = 0; i < nt; ++i)
        for (std::size_t k = 0; k < 6; ++k) tsv[i * 6 + k] = static_cast<std::int32_t>(i * 6 + k);
      w.put_ints(ts, {0, 0}, {nt, 6}, tsv.data());
      std::vector<double> lof(nt, s.lo_freq);
      w.put_doubles(lo, {0}, {nt}, lof.data());
    }
  }
  w.close();
}

void write_tel_file(const std::string& path, const TelFileSpec& s) {
  NcWriter w(path, s.format);
  w.put_att_text(-1, "source", "tolteca_db simulate");
  HeaderBlock h(w, s.style, s.format);
  h.num({"Header.Dcs.ObsNum", T::int_, T::double_, T::int64, double(s.obsnum)});
  h.num({"Header.Dcs.SubObsNum", T::int_, T::short_, T::short_, double(s.subobsnum)});
  h.num({"Header.Dcs.ScanNum", T::int_, T::short_, T::ushort, double(s.scannum)});
  h.str("Header.Dcs.ObsGoal", s.obs_goal);
  h.str("Header.Dcs.ObsPgm", s.obs_pgm);
  h.str("Header.Dcs.ProjectId", s.project_id);
  h.str("Header.Source.SourceName", s.source_name);
  h.num({"Header.Dcs.IntegrationTime", T::double_, T::float_, T::float_, s.integration_time});
  h.num({"Header.Radiometer.Tau", T::double_, T::float_, T::double_, s.tau});
  h.num({"Header.Telescope.AzDesPos", T::double_, T::double_, T::double_, s.az_rad});
  h.num({"Header.Telescope.ElDesPos", T::double_, T::double_, T::double_, s.el_rad});
  h.num({"Header.M2.XReq", T::double_, T::double_, T::float_, s.m2_x});
  h.num({"Header.M2.YReq", T::double_, T::double_, T::float_, s.m2_y});
  h.num({"Header.M2.ZReq", T::double_, T::double_, T::double_, s.m2_z});
  h.num({"Header.PointModel.AzUserOff", T::double_, T::double_, T::double_, s.az_user_off});
  h.num({"Header.PointModel.ElUserOff", T::double_, T::double_, T::double_, s.el_user_off});
  h.num({"Header.PointModel.AzPaddleOff", T::double_, T::double_, T::double_, s.az_paddle_off});
  h.num({"Header.PointModel.ElPaddleOff", T::double_, T::double_, T::double_, s.el_paddle_off});
  h.num({"Header.Telescope.CraneInBeam", T::int_, T::byte_, T::ubyte, double(s.crane_in_beam)});
  const int z7 = w.def_dim("zernike", 7);
  const int zern = w.def_var("Header.M1.ZernikeC", T::double_, {z7});
  const int time = w.def_dim("time", 0);
  const int tt = w.def_var("Data.TelescopeBackend.TelTime", T::double_, {time});
  const int az = w.def_var("Data.TelescopeBackend.TelAzAct", T::double_, {time});
  const int el = w.def_var("Data.TelescopeBackend.TelElAct", T::double_, {time});
  w.end_def();
  h.write();
  w.put_doubles(zern, {0}, {7}, s.zernike.data());
  const std::size_t nt = static_cast<std::size_t>(s.n_samples);
  if (nt > 0) {
    std::vector<double> t(nt), a(nt), e(nt);
    for (std::size_t i = 0; i < nt; ++i) {
      t[i] = s.start_time + double(i) / s.sample_rate;
      a[i] = s.az_rad + 1e-4 * std::sin(double(i) * 0.3);
      e[i] = s.el_rad + 1e-4 * std::cos(double(i) * 0.3);
    }
    w.put_doubles(tt, {0}, {nt}, t.data());
    w.put_doubles(az, {0}, {nt}, a.data());
    w.put_doubles(el, {0}, {nt}, e.data());
  }
  w.close();
}

}  // namespace tolteca::sim
