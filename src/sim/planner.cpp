// The simulator's night plan: what each night contains, file by file (see planner.h).
#include "sim/planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "model/error.h"

namespace tolteca::sim {

using files::InterfaceKind;
using files::ParsedName;
using files::format_relative_path;
using files::interface_name;
using detail::Triple;

namespace {

struct Obs {
  Master master = Master::ics;
  std::int64_t obsnum = 0;
  int sub = 0, scan = 0;
  int obs_type = 1;
  std::int64_t start = 0;  // unix seconds
  int duration = 30;
  std::optional<Triple> cal;
  std::map<int, Triple> cal_override;  // per network
  bool with_tel = false, with_tel2 = false, with_hwpr = false;
  bool reduced = false;  // write reduction products too
  TelFileSpec tel;
  std::optional<BadCase> bad;
};

class Planner {
 public:
  // Three independent streams, so that --networks changes only which network files exist and --format
  // only the formats: observations, times and telescope metadata depend on the seed alone. (Run twice
  // with the same seed and disjoint --networks into one root: the second run adds files to the same
  // raw observations.)
  explicit Planner(const SimOptions& o)
      : o_(o),
        rng_(o.seed * 0x9E3779B97F4A7C15ULL + 1),
        net_rng_(o.seed * 0xC2B2AE3D27D4EB4FULL + 7),
        fmt_rng_(o.seed * 0x165667B19E3779F9ULL + 13) {}

  SimPlan run() {
    validate();
    auto day0 = parse_iso8601(o_.start_date);
    std::int64_t ics = o_.ics_start_obsnum, tcs = o_.tcs_start_obsnum;
    for (int night = 0; night < o_.nights; ++night) {
      night_ = night;
      std::int64_t midnight = *day0 / 1'000'000 + std::int64_t(night) * 86400;
      t_ = midnight + 21 * 3600 + 1800 + static_cast<std::int64_t>(u(600));  // local afternoon (UT-6)
      ics = ics_block(ics);
      t_ += 1200 + static_cast<std::int64_t>(u(600));
      tcs = tcs_block(tcs);
    }
    if (o_.bad_files) extra_bad_files();
    plan_.options = o_;
    return std::move(plan_);
  }

 private:
  std::uint64_t u(std::uint64_t n) { return n ? rng_() % n : 0; }
  static std::uint64_t u(std::mt19937_64& g, std::uint64_t n) { return n ? g() % n : 0; }
  static bool chance(std::mt19937_64& g, double p) { return double(g() >> 11) * (1.0 / 9007199254740992.0) < p; }
  double uniform(double a, double b) { return a + (b - a) * (double(rng_() >> 11) * (1.0 / 9007199254740992.0)); }
  int scaled(double base, int min = 1) { return std::max(min, static_cast<int>(std::lround(base * o_.scale))); }

  void validate() {
    if (o_.nights < 1 || o_.nights > 366) throw UserError("--nights must be 1..366");
    if (!parse_iso8601(o_.start_date) || o_.start_date.size() != 10)
      throw UserError(fmt::format("--start-date '{}' is not a date YYYY-MM-DD", o_.start_date));
    if (o_.networks.empty()) throw UserError("--networks selects no network");
    for (int n : o_.networks)
      if (n < 0 || n > 12) throw UserError(fmt::format("network {} is not 0..12", n));
    if (o_.format != "mix" && !parse_nc_format(o_.format))
      throw UserError(fmt::format("--format '{}' is not classic, 64bit, netcdf4 or mix", o_.format));
    if (!(o_.scale > 0) || o_.scale > 100) throw UserError("--scale must be in (0, 100]");
    if (o_.ics_start_obsnum < 1 || o_.tcs_start_obsnum < 1 || o_.ics_start_obsnum > 99'000'000 ||
        o_.tcs_start_obsnum > 99'000'000)
      throw UserError("start obsnums must be 1..99000000");
    if (o_.dropout_network > 12 || o_.dropout_from_obs < 0) throw UserError("--drop-network must be N@K, N 0..12, K >= 0");
  }

  NcFormat pick_format() {
    if (o_.format != "mix") return *parse_nc_format(o_.format);
    auto r = u(fmt_rng_, 10);
    return r < 4 ? NcFormat::classic : r < 7 ? NcFormat::offset64 : NcFormat::netcdf4;
  }
  HeaderStyle pick_style() { return HeaderStyle{chance(fmt_rng_, 0.3), chance(fmt_rng_, 0.5) ? '\0' : ' '}; }

  // The networks that wrote a file for one observation: all of them, or (12% of the time) one or two
  // dropped.
  std::vector<int> active_networks() {
    std::vector<int> nets = o_.networks;
    if (nets.size() > 2 && chance(net_rng_, 0.12)) {
      int drops = 1 + static_cast<int>(u(net_rng_, 2));
      for (int i = 0; i < drops && nets.size() > 2; ++i)
        nets.erase(nets.begin() + static_cast<long>(u(net_rng_, nets.size())));
    }
    return nets;
  }

  static const char* suffix_of(int obs_type) {
    switch (obs_type) {
      case 1: return "timestream";
      case 2: return "vnasweep";
      case 3: return "targsweep";
      case 4: return "tune";
      default: return "";
    }
  }

  // What every file of one observation shares.
  struct ObsFiles {
    NcFormat fmt;
    HeaderStyle style;
    Quartet q;
    bool sweep;
    int steps, n_samples;
    double drive;
  };

  // Emits the files of one observation and advances the clock past it.
  void emit(Obs o) {
    o.start = t_;
    const NcFormat fmt = pick_format();
    const HeaderStyle style = pick_style();
    std::vector<int> nets = active_networks();
    if (o_.dropout_network >= 0 && obs_index_ >= o_.dropout_from_obs && nets.size() > 1)
      std::erase(nets, o_.dropout_network);
    ++obs_index_;
    const Quartet q{o.master, o.obsnum, o.sub, o.scan};
    const bool sweep = o.obs_type >= 2;
    const int steps = o.obs_type == 2 ? 16 : o.obs_type == 3 ? 12 : 12;
    const int n_samples = sweep ? (o.obs_type == 4 ? 2 * steps : steps) : 20 + static_cast<int>(u(41));
    const double drive = 5 + double(u(16));
    const ObsFiles of{fmt, style, q, sweep, steps, n_samples, drive};
    emit_network_files(o, of, nets);
    if (o.with_hwpr && o_.hwpr) emit_hwpr_file(o, of);
    emit_tel_files(o, of);
    t_ = o.start + o.duration + 5 + static_cast<std::int64_t>(u(40));
  }

  // What a network file and the hwpr file of one observation share: ids, cal pointer, times, kind.
  static SimFile timestream_file(const Obs& o, const ObsFiles& of, SimFileType type, const Triple& cal) {
    SimFile f;
    f.type = type;
    f.quartet = of.q;
    NetworkFileSpec& s = f.net;
    s.format = of.fmt;
    s.style = of.style;
    s.obs_type = o.obs_type;
    s.master = o.master;
    s.obsnum = o.obsnum;
    s.subobsnum = o.sub;
    s.scannum = o.scan;
    s.cal_obsnum = cal.obsnum;
    s.cal_subobsnum = cal.sub;
    s.cal_scannum = cal.scan;
    s.obs_start = double(o.start);
    s.obs_end = double(o.start + o.duration);
    s.n_samples = of.n_samples;
    ParsedName& n = f.name.emplace();
    n.master = o.master;
    n.obsnum = o.obsnum;
    n.subobsnum = o.sub;
    n.scannum = o.scan;
    n.suffix = suffix_of(o.obs_type);
    n.extension = "nc";
    n.data_kind = bits(*data_kind_from_obs_type(o.obs_type));
    f.kind = n.data_kind;
    return f;
  }

  // One file per active network (one of them possibly the observation's bad case), and their
  // reduction products when the observation has them.
  void emit_network_files(const Obs& o, const ObsFiles& of, const std::vector<int>& nets) {
    // A bad file replaces one network of this observation (so it never adds a network or a kind).
    int bad_index = -1;
    if (o.bad) bad_index = static_cast<int>(static_cast<unsigned>(*o.bad) % nets.size());

    for (std::size_t i = 0; i < nets.size(); ++i) {
      const int roach = nets[i];
      Triple cal = o.cal.value_or(Triple{});
      if (auto it = o.cal_override.find(roach); it != o.cal_override.end()) cal = it->second;
      SimFile f = timestream_file(o, of, SimFileType::network, cal);
      NetworkFileSpec& s = f.net;
      s.roach = roach;
      s.sample_freq = of.sweep ? 488.28125 : 122.0703125;
      s.lo_center_freq = 500e6 + 25e6 * roach;
      s.lo_freq = s.lo_center_freq;
      s.drive_atten = of.drive;
      s.sense_atten = 10;
      s.num_sweep_steps = of.sweep ? of.steps : 0;
      s.num_samples_per_sweep_step = of.sweep ? 1 : 0;
      s.n_channels = o.obs_type == 2 ? 8 : 3 + roach % 3;
      s.seed = static_cast<std::uint64_t>(o.obsnum * 1000 + o.sub * 13 + o.scan * 7 + roach);
      ParsedName& n = *f.name;
      n.kind = InterfaceKind::toltec;
      n.roach = roach;
      n.interface = interface_name(n.kind, roach);
      // Files of one observation are created within a second of each other; the first network's
      // file carries the observation's start second.
      n.file_time = (o.start + (i == 0 ? 0 : static_cast<std::int64_t>(u(net_rng_, 2)))) * 1'000'000;
      f.path = format_relative_path(n);
      if (static_cast<int>(i) == bad_index) {
        f.bad = o.bad;
        if (*o.bad == BadCase::header_mismatch) s.obsnum = o.obsnum + 500;
        if (*o.bad == BadCase::lofreq_zero) s.lo_freq = 0;
      }
      last_network_file_[{o.master, roach}] = f.path;
      const bool reduce = o.reduced && !f.bad;
      plan_.files.push_back(std::move(f));
      if (reduce) add_reduced(plan_.files.back());
    }
  }

  // The half-wave-plate file (same ids as the network files, tcs timestreams).
  void emit_hwpr_file(const Obs& o, const ObsFiles& of) {
    SimFile f = timestream_file(o, of, SimFileType::hwpr, o.cal.value_or(Triple{}));
    f.net.hwpr = true;
    ParsedName& n = *f.name;
    n.kind = InterfaceKind::hwpr;
    n.interface = "hwpr";
    n.file_time = o.start * 1'000'000;
    f.path = format_relative_path(n);
    plan_.files.push_back(std::move(f));
  }

  // The telescope files (tel_toltec, tel_toltec2) the observation has.
  void emit_tel_files(const Obs& o, const ObsFiles& of) {
    const NcFormat fmt = of.fmt;
    const HeaderStyle style = of.style;
    const Quartet& q = of.q;
    for (int which = 0; which < 2; ++which) {
      if (which == 0 ? !o.with_tel : !o.with_tel2) continue;
      SimFile f;
      f.type = which == 0 ? SimFileType::tel : SimFileType::tel2;
      f.quartet = q;
      f.tel = o.tel;
      f.tel.format = o_.format == "mix" ? NcFormat::offset64 : fmt;
      f.tel.style = style;
      f.tel.obsnum = o.obsnum;
      f.tel.subobsnum = o.sub;
      f.tel.scannum = o.scan;
      f.tel.start_time = double(o.start);
      f.tel.sample_rate = 8;
      f.tel.n_samples = std::max(2, std::min(64, o.duration * 8 / 10));
      f.tel.integration_time = o.duration;
      ParsedName n;
      n.kind = which == 0 ? InterfaceKind::tel_toltec : InterfaceKind::tel_toltec2;
      n.interface = interface_name(n.kind);
      n.master = Master::tcs;
      n.obsnum = o.obsnum;
      n.subobsnum = o.sub;
      n.scannum = o.scan;
      n.subobsnum_width = 2;
      n.file_time = (o.start - ((o.start % 86400) + 86400) % 86400) * 1'000'000;  // the UT date
      n.extension = "nc";
      n.data_kind = bits(DataKind::LmtTel);
      f.kind = n.data_kind;
      f.path = format_relative_path(n);
      f.name = n;
      plan_.files.push_back(std::move(f));
    }
  }

  // Reduction products of one raw network file: a processed sweep, a d21 spectrum for VNA sweeps, a
  // fitted model table (.txt) for tunes.
  void add_reduced(SimFile raw) {  // a copy: plan_.files grows below
    auto product = [&](const std::string& suffix, const std::string& ext, std::optional<std::string> kind) {
      SimFile f = raw;
      f.type = SimFileType::reduced;
      f.name->suffix = suffix;
      f.name->extension = ext;
      f.name->is_raw = false;
      f.path = format_relative_path(*f.name);
      f.net.reduced_kind = kind;
      f.net.format = NcFormat::netcdf4;
      plan_.files.push_back(std::move(f));
    };
    const std::string& s = raw.name->suffix;
    product(s + "_processed", "nc", std::string("processed_sweep"));
    if (s == "vnasweep") product(s + "_d21", "nc", std::string("d21"));
    if (s == "tune") product(s, "txt", std::nullopt);
  }

  Obs ics_obs(std::int64_t obsnum, int sub, int obs_type, int duration, std::optional<Triple> cal) {
    Obs o;
    o.master = Master::ics;
    o.obsnum = obsnum;
    o.sub = sub;
    o.obs_type = obs_type;
    o.duration = duration;
    o.cal = cal;
    return o;
  }

  // VNA -> target sweep -> tune (cal pointers down the chain). Returns the tune.
  Triple cal_chain(std::int64_t n, std::optional<BadCase> targ_bad, std::optional<BadCase> tune_bad,
                   const std::map<int, Triple>& tune_override = {}, bool reduced = false) {
    Obs vna = ics_obs(n, 0, 2, 90, std::nullopt);
    vna.reduced = reduced;
    emit(vna);
    Obs targ = ics_obs(n + 1, 0, 3, 30, Triple{n, 0, 0});
    targ.bad = targ_bad;
    targ.reduced = reduced;
    emit(targ);
    Obs tune = ics_obs(n + 2, 0, 4, 45, Triple{n + 1, 0, 0});
    tune.cal_override = tune_override;
    tune.bad = tune_bad;
    tune.reduced = reduced;
    emit(tune);
    return Triple{n + 2, 0, 0};
  }

  // Bad cases that need file content exist only when files have content.
  bool content_bad_cases() const { return night_ == 0 && o_.bad_files && !o_.names_only; }

  std::int64_t ics_block(std::int64_t n) {
    const bool first = content_bad_cases();
    Triple tune = cal_chain(n, first ? std::optional(BadCase::header_mismatch) : std::nullopt,
                            first ? std::optional(BadCase::lofreq_zero) : std::nullopt, {}, o_.reduced);
    Obs ts = ics_obs(n + 3, 0, 1, 120, tune);
    if (first) ts.bad = BadCase::truncated;
    emit(ts);
    // Drive-fit series: one obsnum, sub-observations alternating target sweep / timestream.
    const int steps = scaled(24);
    for (int i = 0; i < steps; ++i) {
      emit(ics_obs(n + 4, 2 * i, 3, 20, tune));
      emit(ics_obs(n + 4, 2 * i + 1, 1, 30, Triple{n + 4, 2 * i, 0}));
    }
    // Second calibration chain; the upper networks' tune still uses the first chain's target sweep.
    std::map<int, Triple> split;
    for (int net : o_.networks)
      if (net >= 7) split[net] = Triple{n + 1, 0, 0};
    if (split.size() == o_.networks.size()) split.erase(split.begin());  // keep the disagreement
    last_ics_tune_ = cal_chain(n + 5, std::nullopt, std::nullopt, split);
    // A VNA series of many sub-observations.
    const int vnas = scaled(20);
    for (int i = 0; i < vnas; ++i) {
      Obs v = ics_obs(n + 8, i, 2, 60, std::nullopt);
      emit(v);
    }
    return n + 12;
  }

  // One tcs obsnum: a tune (scan 1) and `scans` nominal timestreams (scans 2..) with telescope files.
  void tcs_obs(std::int64_t m, const TelFileSpec& meta, int scans, bool tel2, std::optional<BadCase> bad = {}) {
    Obs tune;
    tune.master = Master::tcs;
    tune.obsnum = m;
    tune.scan = 1;
    tune.obs_type = 4;
    tune.duration = 20;
    tune.cal = prev_tune_;
    emit(tune);
    prev_tune_ = Triple{m, 0, 1};
    for (int s = 0; s < scans; ++s) {
      Obs o;
      o.master = Master::tcs;
      o.obsnum = m;
      o.scan = 2 + s;
      o.obs_type = 0;
      o.duration = 60 + static_cast<int>(u(120));
      o.cal = Triple{m, 0, 1};
      o.with_tel = true;
      o.with_tel2 = tel2;
      o.with_hwpr = true;
      o.tel = meta;
      if (s == 0) o.bad = bad;
      emit(o);
    }
  }

  TelFileSpec meta(const char* goal, const char* pgm, const char* source, const char* project) {
    TelFileSpec t;
    t.obs_goal = goal;
    t.obs_pgm = pgm;
    t.source_name = source;
    t.project_id = project;
    t.tau = std::round(uniform(0.05, 0.3) * 1000) / 1000;
    t.az_rad = uniform(0.2, 6.0);
    t.el_rad = uniform(0.5, 1.3);
    t.m2_z = 0;
    return t;
  }

  std::int64_t tcs_block(std::int64_t m) {
    prev_tune_ = last_ics_tune_;  // the night's first tcs tune starts from the ics tones
    static const char* kSources[] = {"NGC 1333", "Orion KL", "M82", "Arp 220", "SgrB2", "IRC+10216"};
    const bool first = content_bad_cases();
    tcs_obs(m, meta("Pointing", "Lissajous", "3C 273", "2024-S1-LMT-POINTING"), 1, false);
    // Focus sequence: consecutive obsnums, M2 Z stepped.
    for (int i = 0; i < 5; ++i) {
      TelFileSpec f = meta("Focus", "Lissajous", "3C 273", "2024-S1-LMT-FOCUS");
      f.m2_z = -2.0 + i;
      tcs_obs(m + 1 + i, f, 1, false);
    }
    tcs_obs(m + 6, meta("Pointing", "Lissajous", "3C 279", "2024-S1-LMT-POINTING"), 1, false);
    // Astigmatism sequence: M1 Zernike stepped (both spellings of the goal occur).
    for (int i = 0; i < 3; ++i) {
      TelFileSpec a = meta(i == 2 ? "astig" : "Astigmatism", "Lissajous", "3C 279", "2024-S1-LMT-ASTIG");
      a.zernike = {0, 0, 0, 0, -150.0 + 150.0 * i, 0, 0};
      tcs_obs(m + 7 + i, a, 1, false);
    }
    std::int64_t next = m + 10;
    const int maps = scaled(4);
    for (int i = 0; i < maps; ++i) {
      TelFileSpec s = meta("Science", i % 2 ? "Lissajous" : "Map", kSources[i % 6], "2024-S1-US-3");
      tcs_obs(next++, s, 2, true, first && i == 0 ? std::optional(BadCase::zero_byte) : std::nullopt);
    }
    // Two focus runs split only by an obsnum gap (the skipped obsnum went to another instrument).
    for (int i = 0; i < 3; ++i) {
      TelFileSpec f = meta("Focus", "Lissajous", "3C 345", "2024-S1-LMT-FOCUS");
      f.m2_z = -1.0 + i;
      tcs_obs(next++, f, 1, false);
    }
    next += 1;  // the gap
    for (int i = 0; i < 2; ++i) {
      TelFileSpec f = meta("Focus", "Lissajous", "3C 345", "2024-S1-LMT-FOCUS");
      f.m2_z = -0.5 + i;
      tcs_obs(next++, f, 1, false);
    }
    for (int i = 0; i < 2; ++i) {
      TelFileSpec s = meta("Science", "Map", kSources[(i + 3) % 6], "2024-S1-MX-7");
      tcs_obs(next++, s, 2, true);
    }
    return next + 25;  // other instruments use the obsnums in between
  }

  void extra_bad_files() {
    // A netCDF file that is not a TolTEC file, and a current-file link, in the first network's ics
    // directory.
    const int net = o_.networks.front();
    SimFile other;
    other.type = SimFileType::other;
    other.bad = BadCase::not_toltec;
    other.path = fmt::format("toltec/ics/toltec{}/toltec_sweep_summary.nc", net);
    plan_.files.push_back(other);
    auto it = last_network_file_.find({Master::ics, net});
    if (it != last_network_file_.end()) {
      SimFile link;
      link.type = SimFileType::other;
      link.bad = BadCase::current_link;
      link.path = fmt::format("toltec/ics/toltec{}/toltec{}.nc", net, net);
      link.link_target = it->second;
      plan_.files.push_back(link);
    }
  }

  SimOptions o_;
  std::mt19937_64 rng_, net_rng_, fmt_rng_;
  SimPlan plan_;
  int night_ = 0;
  std::int64_t obs_index_ = 0;  // observations emitted so far (the dropout's clock)
  std::int64_t t_ = 0;
  std::optional<Triple> prev_tune_, last_ics_tune_;
  std::map<std::pair<Master, int>, std::string> last_network_file_;
};

}  // namespace

SimPlan detail::plan_files(const SimOptions& options) { return Planner(options).run(); }

}  // namespace tolteca::sim
