// The simulator's writer: files, LMT catalogue CSV, SQLite site file database.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include "files/output_file.h"
#include "files/unique_fd.h"
#include "model/error.h"
#include "sim/netcdf_writer.h"
#include "sim/simulator.h"
#include "sim/sim_write.h"
#include "sim/sitedb_writer.h"

namespace tolteca::sim {

using files::OutputFile;
using files::OutputPolicy;
using files::same_file;

namespace fs = std::filesystem;

namespace {

constexpr double kRadToDeg = 57.29577951308232;
constexpr double kRadToArcsec = 206264.80624709636;

void write_empty(const std::string& path) {
  files::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) throw UserError(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
}

void write_not_toltec(const std::string& path) {
  NcWriter w(path, NcFormat::classic);
  w.put_att_text(-1, "title", "sweep summary table (not a TolTEC data file)");
  int d = w.def_dim("row", 3);
  int v = w.def_var("summary", NcType::double_, {d});
  w.end_def();
  double vals[3] = {1.5, 2.5, 3.5};
  w.put_doubles(v, {0}, {3}, vals);
  w.close();
}

// A fitted-resonator model table, as the reduction writes next to a tune ("….txt").
void write_model_table(const std::string& path, const SimFile& f) {
  std::ofstream out(path, std::ios::trunc);
  out << "# tolteca_db simulate: fitted model of " << fs::path(f.path).filename().string() << "\n";
  out << "# obsnum " << f.net.obsnum << " subobsnum " << f.net.subobsnum << " scannum " << f.net.scannum
      << " roach " << f.net.roach << "\n";
  out << "fr Qr g0 g1 g tau\n";
  for (int i = 0; i < f.net.n_channels; ++i)
    out << fmt::format("{:.1f} {:.1f} 1.0 0.0 1.0 0.0\n", f.net.lo_center_freq + 1e5 * i, 15000.0 + 100.0 * i);
  if (!out) throw UserError(fmt::format("cannot write {}", path));
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string num(double v) { return fmt::format("{}", v); }

std::string ymd_hms(std::int64_t unix_s, char sep) {
  std::string iso = format_iso8601(unix_s * 1'000'000);  // 2024-11-13T17:24:46Z
  iso[10] = sep;
  iso.pop_back();
  return iso;
}

// Writes to `path` (a temporary name); messages name `target`.
void write_catalog(const SimPlan& plan, const std::string& path, const std::string& target) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw UserError(fmt::format("cannot write the catalogue {}", target));
  std::vector<std::string> cols = {"ObsNum", "Date/Time [UT]", "SourceName", "ObsGoal", "ProjectId", "ObsPgm",
                                   "IntegrationTime", "MainTime", "RefTime", "Az [deg]", "El [deg]",
                                   "UserAzOffset [\"]", "UserElOffset [\"]", "PaddleAzOffset [\"]",
                                   "PaddleElOffset [\"]"};
  for (int i = 0; i < 7; ++i) cols.push_back(fmt::format("M1Zernike{} [micron]", i));
  for (const char* c : {"M2XOffset [mm]", "M2YOffset [mm]", "M2ZOffset [mm]", "Tau", "CraneInBeam", "FileName", "Valid"})
    cols.push_back(c);
  for (std::size_t i = 0; i < cols.size(); ++i) out << (i ? "," : "") << csv_field(cols[i]);
  out << '\n';
  for (const auto& f : plan.files) {
    if (f.type != SimFileType::tel || f.bad) continue;
    const TelFileSpec& t = f.tel;
    std::vector<std::string> row = {
        fmt::format("{}.{}.{}", t.obsnum, t.subobsnum, t.scannum),
        ymd_hms(static_cast<std::int64_t>(t.start_time), ' '),
        t.source_name,
        t.obs_goal,
        t.project_id,
        t.obs_pgm,
        num(t.integration_time),
        num(t.integration_time),
        "0",
        num(t.az_rad * kRadToDeg),
        num(t.el_rad * kRadToDeg),
        num(t.az_user_off * kRadToArcsec),
        num(t.el_user_off * kRadToArcsec),
        num(t.az_paddle_off * kRadToArcsec),
        num(t.el_paddle_off * kRadToArcsec)};
    for (double z : t.zernike) row.push_back(num(z));
    for (double v : {t.m2_x, t.m2_y, t.m2_z, t.tau}) row.push_back(num(v));
    row.push_back(std::to_string(t.crane_in_beam));
    row.push_back("/data_lmt/" + f.path);
    row.push_back("1");
    for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_field(row[i]);
    out << '\n';
  }
  out.close();
  if (!out) throw UserError(fmt::format("cannot write the catalogue {}", target));
}

void write_sitedb(const SimPlan& plan, const std::string& path) {
  std::vector<SiteDbFile> rows;
  for (const auto& f : plan.files)
    if (auto r = detail::site_db_row(f)) rows.push_back(std::move(*r));
  write_site_db(path, rows);
}

}  // namespace

std::optional<SiteDbFile> detail::site_db_row(const SimFile& f) {
  if (f.type != SimFileType::network || !f.name) return std::nullopt;
  const NetworkFileSpec& s = f.net;
  SiteDbFile r;
  std::int64_t t = *f.name->file_time / 1'000'000;
  std::string dt = ymd_hms(t, ' ');
  r.date = dt.substr(0, 10);
  r.time = dt.substr(11);
  r.roach = s.roach;
  r.host = s.roach <= 6 ? "clipa" : "clipo";
  r.obs_type = s.obs_type;
  r.master = static_cast<int>(s.master);
  r.obsnum = s.obsnum;
  r.subobsnum = s.subobsnum;
  r.scannum = s.scannum;
  r.cal_obsnum = s.cal_obsnum;
  r.cal_subobsnum = s.cal_subobsnum;
  r.cal_scannum = s.cal_scannum;
  r.file_name = "/data_lmt/" + f.path;
  r.valid = ends_valid(f) ? 1 : 0;
  return r;
}

bool detail::ends_valid(const SimFile& f) {
  return !(f.bad && (*f.bad == BadCase::truncated || *f.bad == BadCase::zero_byte));
}

void detail::write_planned_file(const SimFile& f, const std::string& p, bool names_only) {
  std::error_code ec;
  try {
    if (f.bad == BadCase::current_link) {
      fs::remove(p, ec);
      fs::create_symlink(fs::path(f.link_target).filename(), p, ec);
      if (ec) throw UserError(fmt::format("cannot create the link {}: {}", p, ec.message()));
    } else if (f.bad == BadCase::not_toltec) {
      if (names_only)
        write_empty(p);
      else
        write_not_toltec(p);
    } else if (names_only || f.bad == BadCase::zero_byte) {
      write_empty(p);
    } else if (f.type == SimFileType::reduced && f.name->extension == "txt") {
      write_model_table(p, f);
    } else if (f.type == SimFileType::network || f.type == SimFileType::hwpr || f.type == SimFileType::reduced) {
      write_network_file(p, f.net);
    } else if (f.type == SimFileType::tel || f.type == SimFileType::tel2) {
      write_tel_file(p, f.tel);
    }
    if (f.bad == BadCase::truncated) fs::resize_file(p, fs::file_size(p) / 2);
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const UserError*>(&e)) throw;
    throw UserError(fmt::format("cannot write {}: {}", p, e.what()));
  }
}

detail::OutputTargets::OutputTargets(const SimPlan& plan, const std::string& out_dir, bool force) : plan_(plan) {
  std::error_code ec;
  if (fs::exists(out_dir, ec) && !fs::is_directory(out_dir, ec))
    throw UserError(fmt::format("{} exists and is not a directory", out_dir));
  if (!force && fs::is_directory(out_dir, ec) && !fs::is_empty(out_dir, ec))
    throw UserError(fmt::format("{} is not empty; pass --force to write the archive into it", out_dir));
  const std::string& catalog = plan.options.catalog_path;
  const std::string& sitedb = plan.options.toltec_db_path;
  if (!catalog.empty() && !sitedb.empty() && same_file(catalog, sitedb))
    throw UserError(fmt::format("--catalog and --toltec-db name the same file {}", catalog));
  // Checked now, written later.
  if (!catalog.empty()) catalog_.emplace(catalog, OutputPolicy{force, {}});
  if (!sitedb.empty()) site_db_.emplace(sitedb, OutputPolicy{force, {}});
  fs::create_directories(out_dir, ec);
  if (ec) throw UserError(fmt::format("cannot create {}: {}", out_dir, ec.message()));
}

void detail::OutputTargets::make_parent(const fs::path& file) {
  std::string parent = file.parent_path().string();
  if (!made_.insert(parent).second) return;
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw UserError(fmt::format("cannot create {}: {}", parent, ec.message()));
}

void detail::OutputTargets::commit_catalog() {
  if (!catalog_) return;
  write_catalog(plan_, catalog_->temp_path(), catalog_->target());
  catalog_->commit();
}

WriteStats write_archive(const SimPlan& plan, const std::string& out_dir, bool force) {
  auto t0 = std::chrono::steady_clock::now();
  detail::OutputTargets out(plan, out_dir, force);
  const fs::path root(out_dir);
  WriteStats st;
  for (const auto& f : plan.files) {
    fs::path full = root / f.path;
    out.make_parent(full);
    detail::write_planned_file(f, full.string(), plan.options.names_only);
    ++st.files;
    struct stat sb {};
    if (::lstat(full.c_str(), &sb) == 0) st.bytes += sb.st_size;
  }
  out.commit_catalog();
  if (auto* sitedb = out.site_db()) {
    write_sitedb(plan, sitedb->temp_path());
    sitedb->commit();
  }
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return st;
}

}  // namespace tolteca::sim
