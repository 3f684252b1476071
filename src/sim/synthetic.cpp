#include "sim/synthetic.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

namespace tolteca::sim {

namespace {

// The file rows of one observation: a file per network (carrying the last
// pointer that names the network), a tel_toltec file when it has LmtTel.
std::vector<storage::FixtureFile> files_of(const SyntheticObs& o) {
  std::vector<storage::FixtureFile> files;
  const std::string master(to_string(o.q.master));
  const DataKindBits net_kind = o.kind & ~bits(DataKind::LmtTel);
  for (int r : o.networks) {
    storage::FixtureFile f;
    f.rel_path = fmt::format("toltec/{0}/toltec{1}/toltec{1}_{2:06d}_{3:03d}_{4:04d}_s{{id}}.nc", master, r,
                             o.q.obsnum, o.q.subobsnum, o.q.scannum);
    f.interface = fmt::format("toltec{}", r);
    f.roach = r;
    f.kind = net_kind;
    f.file_time = o.start_time;
    for (const auto& p : o.pointers)
      if (std::find(p.networks.begin(), p.networks.end(), r) != p.networks.end())
        f.pointer = storage::FixtureFile::Pointer{p.obsnum, p.subobsnum, p.scannum};
    files.push_back(std::move(f));
  }
  if (has(o.kind, DataKind::LmtTel)) {
    storage::FixtureFile f;
    f.rel_path = fmt::format("tel/tel_toltec_{:06d}_{:02d}_{:04d}_s{{id}}.nc", o.q.obsnum, o.q.subobsnum, o.q.scannum);
    f.interface = "tel_toltec";
    f.kind = bits(DataKind::LmtTel);
    f.file_time = o.start_time;
    files.push_back(std::move(f));
  }
  return files;
}

}  // namespace

SyntheticWriteResult write_synthetic(storage::Registry& r, const std::vector<SyntheticObs>& obs,
                                     const SyntheticWriteOptions& options) {
  if (obs.empty()) return {};
  std::int64_t location_id = 0;
  if (options.sources) location_id = r.locations().upsert("synthetic", "/synthetic").id;
  std::vector<storage::FixtureObs> rows;
  rows.reserve(obs.size());
  for (const SyntheticObs& o : obs) {
    storage::FixtureObs f{o.q, o.kind, o.start_time, o.obs_goal, {}};
    if (options.sources) f.files = files_of(o);
    rows.push_back(std::move(f));
  }
  return r.fixtures().write_raw_obs(location_id, rows);
}

std::int64_t delete_raw_obs(storage::Registry& r, const std::vector<std::string>& uids) {
  return r.fixtures().delete_raw_obs(uids);
}

void clear_registry(storage::Registry& r) { r.fixtures().clear(); }

void delete_associations(storage::Registry& r) { r.fixtures().delete_associations(); }

// ---- generator ------------------------------------------------------------------

namespace {

class NightGen {
 public:
  explicit NightGen(const NightOptions& o) : o_(o), rng_(o.seed), t_(o.start_time), ics_(o.ics_obsnum), tcs_(o.tcs_obsnum) {}

  std::vector<SyntheticObs> run() {
    out_.reserve(static_cast<std::size_t>(o_.n_obs) + 128);
    // Sweeps before the first VNA: a target sweep and a tune whose tones came
    // from an earlier night.
    if (chance(0.7)) {
      add_ics(ics_, 0, bits(DataKind::TargetSweep), ptr(ics_ - 7, 0, 0));
      add_ics(ics_ + 1, 0, bits(DataKind::Tune), ptr(ics_, 0, 0));
      ics_ += 2;
    }
    while (static_cast<std::int64_t>(out_.size()) < o_.n_obs) {
      ics_block();
      const int n_tcs = uniform(1, 3);
      for (int i = 0; i < n_tcs; ++i) tcs_block();
      if (chance(0.05)) t_ += uniform(3600, 12 * 3600) * 1'000'000LL;  // a pause (weather, day)
    }
    out_.resize(static_cast<std::size_t>(o_.n_obs));
    return std::move(out_);
  }

 private:
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int uniform(int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng_); }

  void advance() {
    if (!chance(o_.tie_fraction)) t_ += static_cast<std::int64_t>(uniform(20, 300)) * 1'000'000LL;
  }

  std::vector<int> nets() {
    std::vector<int> n;
    for (int r = 0; r < o_.networks && r < 13; ++r) n.push_back(r);
    if (n.size() > 2 && chance(0.1)) n.erase(n.begin() + uniform(0, static_cast<int>(n.size()) - 1));
    return n;
  }

  struct Ptr {
    std::int64_t o;
    std::int32_t s, c;
    bool valid;
  };
  static Ptr ptr(std::int64_t o, std::int32_t s, std::int32_t c) { return {o, s, c, true}; }
  static Ptr none() { return {0, 0, 0, false}; }

  SyntheticObs& add(Master m, std::int64_t obsnum, std::int32_t sub, std::int32_t scan, DataKindBits kind, Ptr p,
                    const std::string& goal = {}) {
    advance();
    SyntheticObs o;
    o.q = Quartet{m, obsnum, sub, scan};
    o.kind = kind;
    o.start_time = t_;
    o.obs_goal = goal;
    o.networks = nets();
    if (p.valid && o_.pointers && !o.networks.empty()) {
      SyntheticPointer sp{p.o, p.s, p.c, o.networks};
      // Networks that disagree: a few files used an older sweep.
      if (o.networks.size() > 3 && chance(0.03)) {
        SyntheticPointer alt{p.o > 1 ? p.o - 1 : p.o, p.s, p.c, {}};
        const int n_alt = uniform(1, 2);
        for (int i = 0; i < n_alt; ++i) {
          alt.networks.push_back(sp.networks.back());
          sp.networks.pop_back();
        }
        o.pointers.push_back(alt);
      }
      o.pointers.push_back(sp);
    }
    out_.push_back(std::move(o));
    return out_.back();
  }
  void add_ics(std::int64_t obsnum, std::int32_t sub, DataKindBits kind, Ptr p) { add(Master::ics, obsnum, sub, 0, kind, p); }

  void ics_block() {
    const DataKindBits V = bits(DataKind::VnaSweep), T = bits(DataKind::TargetSweep), U = bits(DataKind::Tune),
                       S = bits(DataKind::RawTimeStream);
    if (chance(0.05)) {  // a VNA series: every group of 1 is dropped
      const int n = uniform(10, 100);
      for (int i = 0; i < n; ++i) add_ics(ics_, i, V, none());
      ++ics_;
      return;
    }
    const std::int64_t n = ics_;
    add_ics(n, 0, V, none());
    add_ics(n + 1, 0, T, ptr(n, 0, 0));
    add_ics(n + 2, 0, U, ptr(n + 1, 0, 0));
    ics_ += 3;
    last_tune_ = n + 2;
    if (chance(0.5)) add_ics(ics_++, 0, S, ptr(n + 2, 0, 0));
    if (chance(0.6)) {  // drive-fit series: alternating target sweep / timestream sub-observations
      const std::int64_t m = ics_++;
      const int k = chance(0.3) ? 48 : uniform(1, 12);
      for (int i = 0; i < k; ++i) {
        add_ics(m, 2 * i, T, ptr(n + 2, 0, 0));
        add_ics(m, 2 * i + 1, S, ptr(m, 2 * i, 0));
      }
    }
    if (chance(0.3)) {  // a retune
      add_ics(ics_, 0, T, ptr(last_tune_, 0, 0));
      add_ics(ics_ + 1, 0, U, ptr(ics_, 0, 0));
      last_tune_ = ics_ + 1;
      ics_ += 2;
    }
  }

  void tcs_obsnum(const std::string& goal, int n_data_scans) {
    const DataKindBits U = bits(DataKind::Tune), S = bits(DataKind::RawTimeStream), L = bits(DataKind::LmtTel);
    const std::int64_t o = tcs_++;
    add(Master::tcs, o, 0, 1, U | L, last_tune_ ? ptr(last_tune_, 0, 0) : none(), goal);
    for (int s = 0; s < n_data_scans; ++s) add(Master::tcs, o, 0, 2 + s, S | L, ptr(o, 0, 1), goal);
  }

  void tcs_block() {
    const int what = uniform(0, 9);
    if (what <= 2) {
      tcs_obsnum("pointing", 1);
    } else if (what <= 4 || what == 5) {
      const std::string goal = what == 5 ? (chance(0.5) ? "astigmatism" : "Astig") : (chance(0.8) ? "focus" : "Focus");
      const int n = uniform(2, 6);
      for (int i = 0; i < n; ++i) {
        if (i > 0 && chance(0.15)) ++tcs_;  // a gap breaks the run
        tcs_obsnum(goal, uniform(1, 2));
      }
    } else {
      const int n = uniform(1, 3);
      for (int i = 0; i < n; ++i) tcs_obsnum("science", uniform(1, 4));
    }
  }

  NightOptions o_;
  std::mt19937_64 rng_;
  std::int64_t t_;
  std::int64_t ics_, tcs_;
  std::int64_t last_tune_ = 0;
  std::vector<SyntheticObs> out_;
};

}  // namespace

std::vector<SyntheticObs> synthetic_night(const NightOptions& options) { return NightGen(options).run(); }

}  // namespace tolteca::sim
