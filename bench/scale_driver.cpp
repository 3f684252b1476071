// Scale driver for bench/run.sh: timed steps written as TSV rows
// (step, n, run, wall_s, cpu_s, rss_kb) that bench/report.py turns into the
// RESULTS.md table. Not a Google Benchmark: each step is a whole process or a
// whole engine call, measured with steady_clock and wait4()/getrusage().
//
//   bench_driver run --out T --step S --n N --run I [--log F] -- CMD ARGS...
//       Runs CMD once (stdout to /dev/null, stderr to F), appends its wall
//       time, CPU time (user+sys) and peak RSS (wait4) to T. Fails when CMD does.
//   bench_driver assoc --out T --db PATH --bin TOLTECA_DB --n N [--runs R] [--spec-out F] [--log F]
//       Synthetic registry of N raw observations (sim::synthetic_night, written
//       through sim::write_synthetic), then R rounds side by side of: engine full;
//       engine incremental with 0.1 % new (the next newest observations);
//       engine incremental with 0.1 % late arrivals (older start times, random
//       across the registry); then R rounds of the same three through the CLI
//       (`tolteca_db assoc generate --full|--incremental`), the driver adding
//       each batch between CLI runs. --spec-out writes an ics obsnum spec from
//       the middle of the registry (for the query step).
//   bench_driver registry --db PATH --n N
//       Only the synthetic registry of N raw observations (after `db init`), for the serve
//       benchmark (bench/serve_bench.py).
//   bench_driver query --out T --db PATH --spec SPEC [--runs R]
//       storage::duckdb::query_obs for SPEC in one read-only session (the engine part of
//       `tolteca_db query obs SPEC`), R timed calls after one warm-up.
#include <fmt/format.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "assoc/engine.h"
#include "bench_assoc_store.h"
#include "files/header_helper.h"
#include "sim/synthetic.h"
#include "storage/duckdb/query_repo.h"
#include "storage/duckdb/registry.h"
#include "storage/duckdb/session.h"
#include "query/spec.h"

using namespace tolteca;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double cpu_of(const rusage& ru) {
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

double self_cpu() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return cpu_of(ru);
}

struct Row {
  std::string step;
  long long n = 0;
  int run = 0;
  double wall = 0, cpu = 0;
  long rss_kb = -1;  // -1: not measured for this step (in-process engine call)
};

void append(const std::string& out, const Row& r) {
  std::ofstream f(out, std::ios::app);
  if (!f) throw std::runtime_error("cannot append to " + out);
  f << r.step << '\t' << r.n << '\t' << r.run << '\t' << fmt::format("{:.6f}", r.wall) << '\t'
    << fmt::format("{:.6f}", r.cpu) << '\t' << r.rss_kb << '\n';
}

// Runs argv once; returns the row (wall, cpu, rss) or throws when it fails.
Row run_process(const std::vector<std::string>& argv, const std::string& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    if (!log.empty()) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) dup2(fd, 2);
    }
    execv(args[0], args.data());
    std::perror(args[0]);
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) < 0) throw std::runtime_error("wait4 failed");
  Row r;
  r.wall = seconds_since(t0);
  r.cpu = cpu_of(ru);
  r.rss_kb = ru.ru_maxrss;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    throw std::runtime_error(fmt::format("command failed (status {}): {}(stderr in {})", status, cmd,
                                         log.empty() ? "-" : log));
  }
  return r;
}

struct Args {
  std::map<std::string, std::string> opt;
  std::vector<std::string> rest;  // after --
  std::string get(const std::string& k, const std::string& def = "") const {
    auto it = opt.find(k);
    if (it != opt.end()) return it->second;
    if (def.empty()) throw std::runtime_error("missing option " + k);
    return def;
  }
};

Args parse(int argc, char** argv, int from) {
  Args a;
  for (int i = from; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--") {
      for (++i; i < argc; ++i) a.rest.emplace_back(argv[i]);
      break;
    }
    if (s.rfind("--", 0) != 0 || i + 1 >= argc) throw std::runtime_error("bad argument " + s);
    a.opt[s] = argv[++i];
  }
  return a;
}

int cmd_run(const Args& a) {
  Row r = run_process(a.rest, a.get("--log", "/dev/null"));
  r.step = a.get("--step");
  r.n = std::stoll(a.get("--n"));
  r.run = std::stoi(a.get("--run"));
  append(a.get("--out"), r);
  return 0;
}

std::unique_ptr<storage::duckdb::Session> open_rw(const std::string& path) {
  return storage::duckdb::Session::open("duckdb:///" + path, storage::OpenOptions{storage::OpenMode::ReadWrite, 30, {}});
}

// Longer than 80 lines on purpose: one benchmark scenario (setup, the rounds
// side by side, the final check), read top to bottom as RESULTS.md describes it.
int cmd_assoc(const Args& a) {
  const std::string out = a.get("--out"), path = a.get("--db"), bin = a.get("--bin");
  const std::string log = a.get("--log", "/dev/null");
  const long long n = std::stoll(a.get("--n"));
  const int runs = std::stoi(a.get("--runs", "5"));
  const long long k = std::max<long long>(1, n / 1000);  // 0.1 % new per incremental run

  // n observations in the registry, plus 2*runs batches of the newest ones
  // (in order) and 2*runs batches of late arrivals (random older ones).
  const long long held = 4LL * runs * k;
  sim::NightOptions no;
  no.seed = static_cast<std::uint64_t>(n);
  no.n_obs = n + held;
  auto t0 = Clock::now();
  auto all = sim::synthetic_night(no);
  const double gen_s = seconds_since(t0);
  const long long n_tail = 2LL * runs * k;
  std::vector<sim::SyntheticObs> body(all.begin(), all.end() - n_tail);
  std::vector<sim::SyntheticObs> tail(all.end() - n_tail, all.end());
  all.clear();
  all.shrink_to_fit();
  // Late arrivals: 2*runs*k observations drawn at random from the body.
  std::mt19937_64 rng(42);
  std::vector<std::size_t> idx(body.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::shuffle(idx.begin(), idx.end(), rng);
  std::vector<bool> is_late(body.size(), false);
  for (long long i = 0; i < n_tail; ++i) is_late[idx[static_cast<std::size_t>(i)]] = true;
  std::vector<sim::SyntheticObs> initial, late;
  initial.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) (is_late[i] ? late : initial).push_back(std::move(body[i]));
  body.clear();
  body.shrink_to_fit();
  std::shuffle(late.begin(), late.end(), rng);  // arrive in random order

  if (a.opt.count("--spec-out")) {
    // An ics obsnum from the middle of the registry.
    for (std::size_t i = initial.size() / 2; i < initial.size(); ++i) {
      if (initial[i].q.master == Master::ics) {
        std::ofstream(a.get("--spec-out")) << fmt::format("ics-{}\n", initial[i].q.obsnum);
        break;
      }
    }
  }

  auto batch = [&](const std::vector<sim::SyntheticObs>& v, long long i) {
    return std::vector<sim::SyntheticObs>(v.begin() + i * k, v.begin() + (i + 1) * k);
  };

  // Write the registry (db init done by run.sh).
  {
    auto s = open_rw(path);
    auto t1 = Clock::now();
    const double c1 = self_cpu();
    sim::write_synthetic(*storage::duckdb::borrow(*s), initial);
    append(out, Row{"assoc_write_registry", n, 0, seconds_since(t1), self_cpu() - c1, -1});
    std::cerr << fmt::format("assoc n={}: generated {} obs in {:.2f} s, wrote {} in {:.2f} s\n", n,
                             initial.size() + n_tail * 2, gen_s, initial.size(), seconds_since(t1));
  }

  auto engine = [&](storage::duckdb::Session& s, assoc::Mode m, const std::string& step, int run, long long expect_pending) {
    assoc::GenerateOptions g;
    g.mode = m;
    auto t1 = Clock::now();
    const double c1 = self_cpu();
    auto rep = assoc::generate(*bench::assoc_store(s), g);
    Row r{step, n, run, seconds_since(t1), self_cpu() - c1, -1};
    if (m == assoc::Mode::incremental && (rep.mode != "incremental" || rep.pending != expect_pending))
      throw std::runtime_error(fmt::format("{}: expected an incremental run over {} pending, got {} over {} ({})",
                                           step, expect_pending, rep.mode, rep.pending, rep.full_reason));
    append(out, r);
    std::cerr << fmt::format("  {} run {}: {:.3f} s ({} pending, {} considered)\n", step, run, r.wall, rep.pending,
                             rep.considered);
  };

  // Engine, side by side. A first full run (no state yet) is a warm-up.
  {
    auto s = open_rw(path);
    engine(*s, assoc::Mode::full, "assoc_engine_full_first", 0, 0);
    for (int i = 0; i < runs; ++i) {
      engine(*s, assoc::Mode::full, "assoc_engine_full", i, 0);
      sim::write_synthetic(*storage::duckdb::borrow(*s), batch(tail, i));
      engine(*s, assoc::Mode::incremental, "assoc_engine_incr", i, k);
      sim::write_synthetic(*storage::duckdb::borrow(*s), batch(late, i));
      engine(*s, assoc::Mode::incremental, "assoc_engine_incr_late", i, k);
    }
  }
  // The CLI, side by side (the driver closes its session before each CLI run).
  const std::string url = "duckdb:///" + path;
  for (int i = 0; i < runs; ++i) {
    auto r = run_process({bin, "assoc", "generate", "--full", "--db", url}, log);
    r.step = "assoc_cli_full", r.n = n, r.run = i;
    append(out, r);
    { auto s = open_rw(path); sim::write_synthetic(*storage::duckdb::borrow(*s), batch(tail, runs + i)); }
    r = run_process({bin, "assoc", "generate", "--incremental", "--db", url}, log);
    r.step = "assoc_cli_incr", r.n = n, r.run = i;
    append(out, r);
    { auto s = open_rw(path); sim::write_synthetic(*storage::duckdb::borrow(*s), batch(late, runs + i)); }
    r = run_process({bin, "assoc", "generate", "--incremental", "--db", url}, log);
    r.step = "assoc_cli_incr_late", r.n = n, r.run = i;
    append(out, r);
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  append(out, Row{"assoc_driver_peak", n, 0, 0, cpu_of(ru), ru.ru_maxrss});
  return 0;
}

int cmd_registry(const Args& a) {
  const std::string path = a.get("--db");
  const long long n = std::stoll(a.get("--n"));
  sim::NightOptions no;
  no.seed = static_cast<std::uint64_t>(n);
  no.n_obs = n;
  auto t0 = Clock::now();
  const auto all = sim::synthetic_night(no);
  auto s = open_rw(path);
  sim::write_synthetic(*storage::duckdb::borrow(*s), all);
  std::cerr << fmt::format("registry n={}: {} raw observations in {:.2f} s\n", n, all.size(), seconds_since(t0));
  return 0;
}

int cmd_query(const Args& a) {
  const std::string out = a.get("--out"), path = a.get("--db"), spec = a.get("--spec");
  const int runs = std::stoi(a.get("--runs", "5"));
  auto s = storage::duckdb::Session::open("duckdb:///" + path, storage::OpenOptions{storage::OpenMode::ReadOnly, 30, {}});
  query::ObsFilter f;
  f.specs = {query::parse_spec(spec)};
  std::size_t rows = storage::duckdb::query_obs(*s, f, false).size();  // warm-up
  if (rows == 0) throw std::runtime_error("query " + spec + " matched nothing");
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    const double c0 = self_cpu();
    auto r = storage::duckdb::query_obs(*s, f, false);
    append(out, Row{"query_engine_obs", std::stoll(a.get("--n")), i, seconds_since(t0),
                    self_cpu() - c0, -1});
    if (r.size() != rows) throw std::runtime_error("query result changed");
  }
  std::cerr << fmt::format("query {}: {} rows\n", spec, rows);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (tolteca::files::is_header_helper(argc, argv)) tolteca::files::serve_header_helper(tolteca::files::Env::Default());
  try {
    if (argc < 2) {
      std::cerr << "usage: bench_driver run|assoc|registry|query OPTIONS (see bench/scale_driver.cpp)\n";
      return 2;
    }
    const std::string cmd = argv[1];
    const Args a = parse(argc, argv, 2);
    if (cmd == "run") return cmd_run(a);
    if (cmd == "assoc") return cmd_assoc(a);
    if (cmd == "query") return cmd_query(a);
    if (cmd == "registry") return cmd_registry(a);
    std::cerr << "bench_driver: unknown command " << cmd << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "bench_driver: " << e.what() << "\n";
    return 1;
  }
}
