#include "ingest/classify.h"

#include "files/header_process.h"
#include "files/layout.h"
#include "model/bounds.h"

#include <fmt/format.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cctype>
#include <nlohmann/json.hpp>

namespace tolteca::ingest {

namespace {

constexpr double kRadToDeg = 57.29577951308232;
constexpr double kRadToArcsec = 206264.80624709636;

std::string lower_trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Interfaces whose file names carry a full UT timestamp (others carry a date only).
bool has_full_timestamp(const files::ParsedName& n) {
  return n.kind == files::InterfaceKind::toltec || n.kind == files::InterfaceKind::hwpr;
}

template <typename T>
void put(nlohmann::json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

}  // namespace

std::string reason_category(std::string_view reason) {
  auto colon = reason.find(':');
  std::string_view cat = colon == std::string_view::npos ? reason : reason.substr(0, colon);
  while (!cat.empty() && std::isspace(static_cast<unsigned char>(cat.back()))) cat.remove_suffix(1);
  return std::string(cat.empty() ? std::string_view("unreadable") : cat);
}

std::string header_json(const files::HeaderInfo& h) {
  nlohmann::json j;
  j["file_class"] = files::to_string(h.file_class);
  if (!h.format.empty()) j["format"] = h.format;
  put(j, "obs_type", h.obs_type);
  if (h.master) j["master"] = std::string(to_string(*h.master));
  put(j, "roach", h.roach);
  put(j, "obsnum", h.obsnum);
  put(j, "subobsnum", h.subobsnum);
  put(j, "scannum", h.scannum);
  put(j, "cal_obsnum", h.cal_obsnum);
  put(j, "cal_subobsnum", h.cal_subobsnum);
  put(j, "cal_scannum", h.cal_scannum);
  if (h.obs_start_time) j["obs_start_time"] = format_iso8601(*h.obs_start_time);
  if (h.obs_end_time) j["obs_end_time"] = format_iso8601(*h.obs_end_time);
  put(j, "sample_freq", h.sample_freq);
  put(j, "lo_center_freq", h.lo_center_freq);
  put(j, "drive_atten", h.drive_atten);
  put(j, "sense_atten", h.sense_atten);
  put(j, "n_samples", h.n_samples);
  put(j, "reduced_kind", h.reduced_kind);
  put(j, "lo_freq", h.lo_freq);
  put(j, "n_channels", h.n_channels);
  if (!h.problems.empty()) j["problems"] = h.problems;
  j["data_kind"] = h.data_kind;
  return j.dump();
}

storage::TelMetaRecord tel_meta_from_header(const files::TelescopeMeta& t) {
  storage::TelMetaRecord r;
  if (t.obs_goal) r.obs_goal = lower_trim(*t.obs_goal);
  r.obs_pgm = t.obs_pgm;
  r.project_id = t.project_id;
  r.source_name = t.source_name;
  r.integration_time = t.integration_time;
  r.tau = t.tau;
  if (t.az_rad) r.az_deg = *t.az_rad * kRadToDeg;
  if (t.el_rad) r.el_deg = *t.el_rad * kRadToDeg;
  nlohmann::json x = nlohmann::json::object();
  put(x, "m2_x_mm", t.m2_x);
  put(x, "m2_y_mm", t.m2_y);
  put(x, "m2_z_mm", t.m2_z);
  if (!t.m1_zernike.empty()) x["m1_zernike_micron"] = t.m1_zernike;
  auto arcsec = [&](const char* key, const std::optional<double>& rad) {
    if (rad) x[key] = *rad * kRadToArcsec;
  };
  arcsec("az_user_off_arcsec", t.az_user_off);
  arcsec("el_user_off_arcsec", t.el_user_off);
  arcsec("az_paddle_off_arcsec", t.az_paddle_off);
  arcsec("el_paddle_off_arcsec", t.el_paddle_off);
  put(x, "crane_in_beam", t.crane_in_beam);
  r.extra_json = x.dump();
  return r;
}

namespace {

// What a readable header adds to the record its name made: the header facts, the master (the header
// is the authority), the kind, the cal pointer, the start, telescope metadata; its problems.
void apply_header(const files::HeaderInfo& h, const files::ParsedName& name, storage::FileRecord& r,
                  std::optional<Master>& master, std::vector<std::string>& problems) {
  r.header_json = header_json(h);
  const bool telescope = h.file_class == files::FileClass::telescope;
  // The header is the authority for the master: an ics file under tcs/ is an ics observation
  // (flagged by compare_with_name), never a phantom tcs one.
  if (h.master && !telescope) master = h.master;
  for (auto& p : files::compare_with_name(h, name)) problems.push_back(std::move(p));
  for (const auto& p : h.problems) problems.push_back(p);
  if (h.file_class == files::FileClass::reduced) r.is_raw = false;
  if (telescope) {
    r.data_kind = bits(DataKind::LmtTel);
  } else if (h.data_kind != 0) {
    r.data_kind = h.data_kind;
  } else if (h.file_class == files::FileClass::unknown) {
    problems.push_back("header not recognised as a TolTEC file; kind from the file name");
  }
  r.cal_obsnum = h.cal_obsnum;
  if (h.cal_obsnum) {
    r.cal_subobsnum = h.cal_subobsnum.value_or(0);
    r.cal_scannum = h.cal_scannum.value_or(0);
  }
  if (h.obs_start_time)
    r.obs_start_time = r.obs_start_time ? std::min(*r.obs_start_time, *h.obs_start_time) : *h.obs_start_time;
  if (telescope && r.is_raw) {
    r.tel = tel_meta_from_header(h.tel);
    r.tel->origin = name.interface;
  }
}

}  // namespace

Classified classify(std::string_view rel_path, std::string_view name_path, const FileStat& st,
                    const HeaderResult* header, std::optional<Master> fallback_master) {
  Classified c;
  files::NameParse parse = files::parse_filename(name_path);
  if (const auto* rej = std::get_if<files::NameRejection>(&parse)) {
    c.outcome = Outcome::skipped;
    c.reason = std::string(files::to_string(rej->reason));
    c.detail = rej->detail;
    return c;
  }
  const auto& name = std::get<files::ParsedName>(parse);
  auto& r = c.record;
  r.rel_path = std::string(rel_path);
  r.interface = name.interface;
  if (name.roach) r.roach = *name.roach;
  r.obsnum = name.obsnum;
  r.subobsnum = name.subobsnum;
  r.scannum = name.scannum;
  r.data_kind = name.data_kind;
  r.is_raw = name.is_raw;
  std::vector<std::string> problems;
  // An implausible timestamp in the name (before 2015, more than a day ahead) dates nothing.
  r.file_time = bounds::check_time(name.file_time, "the file name's timestamp", bounds::now_micros(), problems);
  if (has_full_timestamp(name)) r.obs_start_time = r.file_time;
  r.size = st.size;
  r.mtime_ns = st.mtime_ns;
  std::optional<Master> master = name.master;
  if (auto p = files::layout_problem(name_path, name)) problems.push_back(std::move(*p));

  bool failed = false;
  if (header) {
    if (const auto* err = std::get_if<files::HeaderError>(header)) {
      failed = true;
      c.reason = reason_category(err->reason);
      c.detail = err->reason;
      problems.push_back(fmt::format("header unreadable ({}); kind from the file name", err->reason));
      r.header_json = nlohmann::json{{"error", err->reason}}.dump();
    } else {
      apply_header(std::get<files::HeaderInfo>(*header), name, r, master, problems);
    }
  }
  if (!master) master = fallback_master;
  if (!master) {
    c.outcome = Outcome::skipped;
    c.reason = "master unknown";
    c.detail = header ? "not under toltec/{ics,tcs,clip}/ and the header names no master"
                      : "not under toltec/{ics,tcs,clip}/ (names-only: no header to ask)";
    c.record = {};
    return c;
  }
  r.master = std::string(to_string(*master));
  Quartet q{*master, r.obsnum, r.subobsnum, r.scannum};
  r.reduced = !r.is_raw;
  r.uid = r.reduced ? "reduced:" + to_string(q) : to_string(q);
  if (r.tel) {
    r.tel->master = r.master;
    r.tel->obsnum = r.obsnum;
    r.tel->subobsnum = r.subobsnum;
    r.tel->scannum = r.scannum;
  }
  if (!problems.empty()) {
    std::string p;
    for (const auto& s : problems) {
      if (!p.empty()) p += "; ";
      p += s;
    }
    r.problem = std::move(p);
  }
  c.outcome = failed ? Outcome::failed : Outcome::recorded;
  return c;
}

Classified classify_file(std::string_view rel_path, const std::string& abs_path, const FileStat& st,
                         bool read_header, std::optional<Master> fallback_master) {
  if (!read_header) return classify(rel_path, abs_path, st, nullptr, fallback_master);
  // Parse first: a name that is not TolTEC is never opened.
  // A name that is not TolTEC is never opened, nor is a non-netCDF product (.txt, .ecsv tables).
  files::NameParse parse = files::parse_filename(abs_path);
  const auto* name = std::get_if<files::ParsedName>(&parse);
  if (!name || name->extension != "nc") return classify(rel_path, abs_path, st, nullptr, fallback_master);
  HeaderResult h = files::read_header_isolated(abs_path);
  if (std::holds_alternative<files::HeaderError>(h)) {
    // Gone since the walk saw it (deleted, renamed, unmounted): nothing to record; a later run with
    // --prune marks a known file missing.
    struct stat now;
    if (::lstat(abs_path.c_str(), &now) != 0 && errno == ENOENT) {
      Classified c;
      c.outcome = Outcome::skipped;
      c.reason = "vanished";
      c.detail = "the file disappeared between the directory scan and the header read";
      return c;
    }
  }
  return classify(rel_path, abs_path, st, &h, fallback_master);
}

}  // namespace tolteca::ingest
