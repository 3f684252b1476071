#include "ingest/site_rows.h"

#include <fmt/format.h>

#include <vector>

#include "files/filename.h"
#include "files/layout.h"
#include "ingest/ingest.h"
#include "model/bounds.h"
#include "model/rel_path.h"

namespace tolteca::ingest {

namespace {

bool has_control_character(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

// The FileName from its data-root anchor on: after "data_lmt/" (at the start or after a '/'), else
// from "toltec/" (at the start or after a '/'). nullopt when there is no anchor.
std::optional<std::string_view> after_anchor(std::string_view f) {
  for (auto pos = f.find("data_lmt/"); pos != std::string_view::npos; pos = f.find("data_lmt/", pos + 1))
    if (pos == 0 || f[pos - 1] == '/') return f.substr(pos + 9);
  if (f.rfind("toltec/", 0) == 0) return f;
  if (auto pos = f.find("/toltec/"); pos != std::string_view::npos) return f.substr(pos + 1);
  return std::nullopt;
}

}  // namespace

MappedPath map_site_file_name(std::int64_t row_id, std::string_view file_name) {
  MappedPath m;
  auto reject = [&](const char* reason, std::string detail) {
    m.reason = reason;
    m.detail = std::move(detail);
    return m;
  };
  if (has_control_character(file_name))
    return reject("unmappable FileName", fmt::format("row {}: FileName holds a control character", row_id));
  auto rest = after_anchor(file_name);
  if (!rest)
    return reject("unmappable FileName",
                  fmt::format("row {}: FileName '{}' is not under data_lmt/ or toltec/", row_id, file_name));
  while (!rest->empty() && rest->front() == '/') rest->remove_prefix(1);
  auto norm = normalize_relative(*rest);
  if (!norm) {
    m.escapes = true;
    return reject("path outside the data root",
                  fmt::format("row {}: FileName '{}' leaves the data root ('..' above it); not recorded", row_id,
                              file_name));
  }
  if (norm->empty())
    return reject("unmappable FileName",
                  fmt::format("row {}: FileName '{}' names the data root itself, not a file", row_id, file_name));
  m.rel = std::move(*norm);
  return m;
}

std::string site_relative_path(const std::string& file_name) { return map_site_file_name(0, file_name).rel; }

namespace {

Classified rejected(Outcome o, std::string reason, std::string detail) {
  Classified c;
  c.outcome = o;
  c.reason = std::move(reason);
  c.detail = std::move(detail);
  return c;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "; ") + s;
  return out;
}

// The quartet of a row, or why the row gives none (skipped: missing; failed: out of range / not integers).
std::optional<Classified> check_identity(const storage::SiteDbRow& row, const std::string& rel, Quartet& q,
                                         std::optional<Master> fallback_master) {
  std::vector<std::string> p;
  // A missing Master (NULL, or the database's "repeat" label 3) takes the --master fallback when given.
  const bool use_fallback = fallback_master && !row.bad_values.count("Master") && (!row.master || *row.master == 3);
  for (const char* col : {"Master", "ObsNum", "SubObsNum", "ScanNum"})
    if (auto it = row.bad_values.find(col); it != row.bad_values.end()) p.push_back(it->second);
  if (p.empty()) {
    if (!use_fallback && (!row.master || *row.master == 3))  // 3 is the database's "repeat" label, not a master
      return rejected(Outcome::skipped, "unknown master code",
                      fmt::format("row {}: Master = {}", row.id, row.master ? std::to_string(*row.master) : "NULL"));
    if (!row.obsnum || !row.subobsnum || !row.scannum)
      return rejected(Outcome::skipped, "incomplete row", fmt::format("row {}: ObsNum/SubObsNum/ScanNum missing", row.id));
  }
  auto m = use_fallback ? std::optional<std::int64_t>(static_cast<std::int64_t>(*fallback_master))
                        : bounds::check_int(row.master, "Master", 0, bounds::kMaxMasterCode, p);
  auto o = bounds::check_int(row.obsnum, "ObsNum", 0, bounds::kMaxObsNum, p);
  auto s = bounds::check_int(row.subobsnum, "SubObsNum", 0, bounds::kMaxSubObsNum, p);
  auto n = bounds::check_int(row.scannum, "ScanNum", 0, bounds::kMaxScanNum, p);
  if (!p.empty() || !m || !o || !s || !n)
    return rejected(Outcome::failed, "identity out of range",
                    fmt::format("row {} ({}): {}; not recorded", row.id, rel, join(p)));
  q = Quartet{*master_from_code(*m), *o, static_cast<std::int32_t>(*s), static_cast<std::int32_t>(*n)};
  return std::nullopt;
}

// The TargSweep pointer: every part an integer in range, else no pointer (a problem).
void set_cal_pointer(const storage::SiteDbRow& row, storage::FileRecord& r, std::vector<std::string>& problems) {
  const std::string at = fmt::format("row {}: ", row.id);
  std::vector<std::string> p;
  for (const char* col : {"TargSweepObsNum", "TargSweepSubObsNum", "TargSweepScanNum"})
    if (auto it = row.bad_values.find(col); it != row.bad_values.end()) p.push_back(it->second);
  auto co = bounds::check_int(row.ts_obsnum, "TargSweepObsNum", 0, bounds::kMaxObsNum, p);
  auto cs = bounds::check_int(row.ts_subobsnum, "TargSweepSubObsNum", 0, bounds::kMaxSubObsNum, p);
  auto cc = bounds::check_int(row.ts_scannum, "TargSweepScanNum", 0, bounds::kMaxScanNum, p);
  if (!p.empty()) {
    for (auto& x : p) problems.push_back(at + x + " (no cal pointer recorded)");
    return;
  }
  if (co && (*co != 0 || cs.value_or(0) != 0 || cc.value_or(0) != 0)) {
    r.cal_obsnum = *co;
    r.cal_subobsnum = static_cast<std::int32_t>(cs.value_or(0));
    r.cal_scannum = static_cast<std::int32_t>(cc.value_or(0));
  }
}

// Network, kind and file time from the row and the name; disagreements and bad values are problems.
void set_row_facts(const storage::SiteDbRow& row, const files::ParsedName* parsed, storage::FileRecord& r,
                   std::vector<std::string>& problems) {
  const std::string at = fmt::format("row {}: ", row.id);
  std::vector<std::string> p;
  for (const char* col : {"RoachIndex", "ObsType", "Valid"})
    if (auto it = row.bad_values.find(col); it != row.bad_values.end()) p.push_back(it->second);
  auto roach = bounds::check_int(row.roach, "RoachIndex", 0, bounds::kMaxRoach, p);
  auto obs_type = bounds::check_int(row.obs_type, "ObsType", 0, bounds::kMaxObsType, p);
  const UnixMicros now = bounds::now_micros();
  std::optional<UnixMicros> row_time = parse_iso8601(row.date + " " + row.time);
  if (!row_time && !(parsed && parsed->file_time))
    p.push_back(fmt::format("Date/Time '{} {}' is not a date-time", row.date, row.time));
  for (auto& x : p) problems.push_back(at + x);
  if (roach) {
    r.roach = static_cast<std::int32_t>(*roach);
    r.interface = fmt::format("toltec{}", *roach);
  }
  if (parsed) {
    if (roach && parsed->roach && *parsed->roach != *roach)
      problems.push_back(fmt::format("{}RoachIndex {} differs from the name's network {}", at, *roach, *parsed->roach));
    if (parsed->roach) r.roach = *parsed->roach;
    r.interface = parsed->interface;
    r.file_time = bounds::check_time(parsed->file_time, "the file name's timestamp", now, problems);
    r.is_raw = parsed->is_raw;
    r.data_kind = parsed->data_kind;
    if (auto lp = files::layout_problem(r.rel_path, *parsed)) problems.push_back(std::move(*lp));
  } else if (!roach) {
    r.interface = "toltec";
  }
  if (!r.file_time && row_time) r.file_time = bounds::check_time(row_time, at + "Date/Time", now, problems);
  r.obs_start_time = r.file_time;
  if (obs_type) {
    DataKindBits k = bits(*data_kind_from_obs_type(*obs_type));
    if (parsed && parsed->data_kind != 0 && parsed->data_kind != k && r.is_raw)
      problems.push_back(fmt::format("site database kind {} differs from the name's {}", data_kind_names(k),
                                     data_kind_names(parsed->data_kind)));
    r.data_kind = k;
  }
}

}  // namespace

Classified classify_site_row(const storage::SiteDbRow& row, const std::string& rel, const FileStat& st, bool available,
                             std::optional<Master> fallback_master) {
  Quartet q;
  if (auto rej = check_identity(row, rel, q, fallback_master)) return std::move(*rej);
  Classified c;
  auto name = files::parse_filename(rel);
  const auto* parsed = std::get_if<files::ParsedName>(&name);
  auto& r = c.record;
  r.rel_path = rel;
  r.master = std::string(to_string(q.master));
  r.obsnum = q.obsnum;
  r.subobsnum = q.subobsnum;
  r.scannum = q.scannum;
  std::vector<std::string> problems;
  set_row_facts(row, parsed, r, problems);
  if (parsed && (parsed->obsnum != r.obsnum || parsed->subobsnum != r.subobsnum || parsed->scannum != r.scannum))
    problems.push_back(fmt::format("site database says {}-{}-{}, name says {}-{}-{}", r.obsnum, r.subobsnum, r.scannum,
                                   parsed->obsnum, parsed->subobsnum, parsed->scannum));
  if (parsed && parsed->master && *parsed->master != q.master)
    problems.push_back(fmt::format("site database master {} differs from the directory's {}", to_string(q.master),
                                   to_string(*parsed->master)));
  if (row.valid && *row.valid == 0) problems.push_back("site database marks the file invalid (Valid = 0)");
  set_cal_pointer(row, r, problems);
  r.size = st.size;
  r.mtime_ns = st.mtime_ns;
  r.available = available;
  r.reduced = !r.is_raw;
  r.uid = r.reduced ? "reduced:" + to_string(q) : to_string(q);
  if (!problems.empty()) r.problem = join(problems);
  c.outcome = Outcome::recorded;
  return c;
}

}  // namespace tolteca::ingest
