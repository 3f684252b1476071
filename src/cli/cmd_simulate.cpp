// `tolteca_db simulate OUT_DIR`: writes a realistic TolTEC archive tree (see src/sim/simulator.h).
#include <fmt/format.h>

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/common.h"
#include "sim/live_writer.h"
#include "sim/simulator.h"
#include "model/time.h"
#include "model/error.h"

namespace tolteca::cli {

namespace {

// The live writer's progress on stderr: redrawn in place on a terminal, a line every 5 s otherwise.
sim::WriteStats write_live(const sim::SimPlan& plan, const std::string& out_dir, bool force, double speed,
                           bool quiet) {
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  double last = -1e9;
  bool drawn = false;
  sim::LiveOptions live;
  live.speed = speed;
  if (!quiet)
    live.progress = [&](const sim::LiveProgress& p) {
      if (p.elapsed_s - last < (tty ? 0.2 : 5.0) && p.files_done < p.files_total) return;
      last = p.elapsed_s;
      const std::string line =
          fmt::format("live: {}/{} files written, {} being written, plan time {}, {:.1f} s", p.files_done,
                      p.files_total, p.files_open, format_iso8601(p.plan_time), p.elapsed_s);
      std::fprintf(stderr, tty ? "\r\033[K%s" : "%s\n", line.c_str());
      drawn = tty;
    };
  auto st = sim::write_archive_live(plan, out_dir, force, live);
  if (drawn) std::fputs("\n", stderr);
  return st;
}

}  // namespace

void register_simulate_command(CLI::App& app) {
  struct Opts {
    std::string out_dir, networks = "0-5,7-10,12", dropout;
    sim::SimOptions sim;
    bool no_hwpr = false, json = false, quiet = false, force = false, live = false;
    double speed = 1;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "simulate",
      "Write a realistic TolTEC archive (data_lmt layout) of tiny real netCDF files, deterministic from --seed");
  cmd->add_option("OUT_DIR", o->out_dir, "Data root to write into (plays data_lmt/; created if missing)")->required();
  cmd->add_option("--seed", o->sim.seed, "Random seed (same seed, same archive)")->capture_default_str();
  cmd->add_option("--nights", o->sim.nights, "Number of nights")->capture_default_str();
  cmd->add_option("--start-date", o->sim.start_date, "UT date of the first night, YYYY-MM-DD")->capture_default_str();
  cmd->add_option("--ics-start-obsnum", o->sim.ics_start_obsnum, "First ics obsnum")->capture_default_str();
  cmd->add_option("--tcs-start-obsnum", o->sim.tcs_start_obsnum, "First tcs obsnum")->capture_default_str();
  cmd->add_option("--networks", o->networks, "Active networks, e.g. 0-12 or 0,1,2,7-10 (default: all but 6 and 11)")
      ->capture_default_str();
  cmd->add_option("--format", o->sim.format, "netCDF format: classic, 64bit, netcdf4 or mix")
      ->check(CLI::IsMember({"classic", "64bit", "netcdf4", "mix"}))
      ->capture_default_str();
  cmd->add_option("--drop-network", o->dropout,
                  "N@K: network N drops out from observation K on (0-based, plan order over all nights)");
  cmd->add_flag("--bad-files", o->sim.bad_files,
                "Add the bad cases: truncated, header/name mismatch, zero-byte, non-TolTEC, current-file link, "
                "tune with LoFreq 0");
  cmd->add_flag("--names-only", o->sim.names_only, "Zero-byte files with correct names (for name-only scale tests)");
  cmd->add_flag("--no-hwpr", o->no_hwpr, "No half-wave-plate files");
  cmd->add_flag("--reduced", o->sim.reduced,
                "Also write reduction products (_processed.nc, _d21.nc, .txt) of each night's first cal chain");
  cmd->add_option("--scale", o->sim.scale,
                  "Multiply series lengths (drive fit, VNA series) and science maps (1 = ~1400 files per night)")
      ->capture_default_str();
  cmd->add_option("--catalog", o->sim.catalog_path, "Also write the LMT metadata catalogue CSV of the tcs observations");
  cmd->add_option("--toltec-db", o->sim.toltec_db_path,
                  "Also write a SQLite site file database (toltec, master, obstype) indexing every network file");
  cmd->add_flag("--force", o->force,
                "Write into a non-empty OUT_DIR and replace an existing --catalog / --toltec-db file");
  cmd->add_flag("--live", o->live,
                "Write the night in (accelerated) real time as the instruments do: files growing in steps, the "
                "current-file links toltecN.nc, site-database rows going from Valid 0 to 1, networks finishing at "
                "different times");
  auto* speed_opt = cmd->add_option("--speed", o->speed, "With --live: plan seconds per wall second (1 = real time; 3600 = an hour a second)")
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "Print the manifest (expected files, raw observations, groups) as JSON");
  add_quiet_flag(cmd, o->quiet);
  set_examples(cmd,
               "  tolteca_db simulate demo/data_lmt --scale 0.2\n"
               "  tolteca_db simulate /tmp/three_nights --nights 3 --seed 7 --bad-files --scale 0.1 --json > manifest.json\n"
               "  tolteca_db simulate /tmp/nc4 --format netcdf4 --networks 0-12 --no-hwpr --scale 0.1\n"
               "  tolteca_db simulate /tmp/names --names-only --nights 10 --quiet\n"
               "  tolteca_db simulate /tmp/with_site_db --scale 0.1 --catalog /tmp/lmt_catalog.csv --toltec-db "
               "/tmp/toltec.sqlite\n"
               "  tolteca_db simulate /tmp/live --live --speed 100000 --scale 0.1 --toltec-db /tmp/live.sqlite "
               "--drop-network 3@10\n");
  cmd->callback([o, speed_opt] {
    o->sim.networks = sim::parse_networks(o->networks);
    o->sim.hwpr = !o->no_hwpr;
    if (!o->dropout.empty()) sim::parse_dropout(o->dropout, o->sim);
    if (!o->live && speed_opt->count() > 0) throw UserError("--speed needs --live");
    auto plan = sim::make_plan(o->sim);
    auto st = o->live ? write_live(plan, o->out_dir, o->force, o->speed, o->quiet || o->json)
                      : sim::write_archive(plan, o->out_dir, o->force);
    if (o->json) {
      print_json(cli::out(), sim::manifest_json(plan));
      return;
    }
    if (o->quiet) return;
    auto c = sim::count_plan(plan);
    cli::out() << fmt::format("wrote {} files ({}) under {} in {:.2f} s: {} raw observations, {} bad files", st.files,
                             human_bytes(double(st.bytes)), o->out_dir, st.seconds, c.raw_obs, c.bad_files);
    if (c.reduced_files) cli::out() << fmt::format(", {} reduced files", c.reduced_files);
    cli::out() << '\n';
    Table kinds{{"kind", "files"}, {}, {false, true}};
    for (const auto& [k, v] : c.per_kind) kinds.rows.push_back({k, std::to_string(v)});
    print_table(cli::out(), kinds, OutputFormat::table);
    cli::out() << '\n';
    Table ifaces{{"interface", "files"}, {}, {false, true}};
    for (const auto& [k, v] : c.per_interface) ifaces.rows.push_back({k, std::to_string(v)});
    print_table(cli::out(), ifaces, OutputFormat::table);
    cli::out() << '\n';
    Table masters{{"master", "raw observations"}, {}, {false, true}};
    for (const auto& [k, v] : c.per_master) masters.rows.push_back({k, std::to_string(v)});
    print_table(cli::out(), masters, OutputFormat::table);
    std::map<std::string, int> groups;
    for (const auto& g : plan.groups) ++groups[g.type];
    std::string gs;
    for (const auto& [k, v] : groups) gs += fmt::format("{}{} {}", gs.empty() ? "" : ", ", v, k);
    cli::out() << fmt::format("\nexpected groups: {}; cal edges: {}\n", gs.empty() ? "none" : gs, plan.cal_edges.size());
    if (!o->sim.catalog_path.empty()) cli::out() << "catalogue: " << o->sim.catalog_path << '\n';
    if (!o->sim.toltec_db_path.empty()) cli::out() << "site database: " << o->sim.toltec_db_path << '\n';
  });
}

}  // namespace tolteca::cli
