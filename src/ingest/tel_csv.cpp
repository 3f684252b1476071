#include "ingest/tel_csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "ingest/csv_record.h"
#include "model/error.h"

namespace tolteca::ingest {

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Column name without its unit: "Az [deg]" -> "az", "Date/Time [UT]" -> "date/time".
std::string column_key(std::string_view header) {
  std::string h = trim(header);
  if (!h.empty() && static_cast<unsigned char>(h[0]) == 0xEF && h.size() >= 3) h = h.substr(3);  // UTF-8 BOM
  auto br = h.find('[');
  if (br != std::string::npos) h = trim(std::string_view(h).substr(0, br));
  return lower(h);
}

bool is_blank(const std::vector<std::string>& f) {
  return std::all_of(f.begin(), f.end(), [](const std::string& s) { return trim(s).empty(); });
}

enum class Col {
  obsnum, datetime, source_name, obs_goal, project_id, obs_pgm, integration_time, main_time, ref_time, az, el,
  user_az_off, user_el_off, paddle_az_off, paddle_el_off, z0, z1, z2, z3, z4, z5, z6, m2x, m2y, m2z, tau, crane,
  file_name, valid
};

const std::map<std::string, Col>& column_names() {
  static const std::map<std::string, Col> m = {
      {"obsnum", Col::obsnum},
      {"date/time", Col::datetime},
      {"sourcename", Col::source_name},
      {"obsgoal", Col::obs_goal},
      {"projectid", Col::project_id},
      {"obspgm", Col::obs_pgm},
      {"integrationtime", Col::integration_time},
      {"maintime", Col::main_time},
      {"reftime", Col::ref_time},
      {"az", Col::az},
      {"el", Col::el},
      {"userazoffset", Col::user_az_off},
      {"usereloffset", Col::user_el_off},
      {"paddleazoffset", Col::paddle_az_off},
      {"paddleeloffset", Col::paddle_el_off},
      {"m1zernike0", Col::z0},
      {"m1zernike1", Col::z1},
      {"m1zernike2", Col::z2},
      {"m1zernike3", Col::z3},
      {"m1zernike4", Col::z4},
      {"m1zernike5", Col::z5},
      {"m1zernike6", Col::z6},
      {"m2xoffset", Col::m2x},
      {"m2yoffset", Col::m2y},
      {"m2zoffset", Col::m2z},
      {"tau", Col::tau},
      {"craneinbeam", Col::crane},
      {"filename", Col::file_name},
      {"valid", Col::valid},
  };
  return m;
}

// "93026.0.1" -> (93026, 0, 1).
bool parse_obsnum(std::string_view s, std::int64_t& o, std::int32_t& sub, std::int32_t& scan) {
  const char* p = s.data();
  const char* e = p + s.size();
  auto r1 = std::from_chars(p, e, o);
  if (r1.ec != std::errc() || r1.ptr == e || *r1.ptr != '.') return false;
  auto r2 = std::from_chars(r1.ptr + 1, e, sub);
  if (r2.ec != std::errc() || r2.ptr == e || *r2.ptr != '.') return false;
  auto r3 = std::from_chars(r2.ptr + 1, e, scan);
  if (r3.ec != std::errc() || r3.ptr != e) return false;
  return o >= 0 && sub >= 0 && scan >= 0;
}

// Empty -> nullopt (ok); a number -> value; anything else -> error.
bool parse_number(std::string_view s, std::optional<double>& out) {
  std::string t = trim(s);
  out.reset();
  if (t.empty()) return true;
  std::string l = lower(t);
  if (l == "nan" || l == "null" || l == "none" || l == "-") return true;
  double v = 0;
  auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size()) return false;
  if (!std::isfinite(v)) return true;
  out = v;
  return true;
}

}  // namespace

TelCsvParse parse_tel_csv(std::istream& in, const std::string& source) {
  std::ostringstream whole;
  whole << in.rdbuf();
  const std::string buf = std::move(whole).str();
  return parse_tel_csv_text(buf, source);
}

namespace {

// The row's facts so far: its telescope metadata (row.meta), the extra JSON object, the M1 Zernike
// coefficients (set into extra at the end) and the first error.
struct RowFacts {
  TelCsvRow& row;
  nlohmann::json extra = nlohmann::json::object();
  std::vector<std::optional<double>> zernike = std::vector<std::optional<double>>(7);
  std::string error = {};
  bool have_obsnum = false;
};

// Columns whose number goes into the extra JSON object under a key of its own: (column, its name in
// messages, the key).
struct ExtraNumber {
  Col col;
  const char* name;
  const char* key;
};
constexpr ExtraNumber kExtraNumbers[] = {
    {Col::main_time, "MainTime", "main_time"},
    {Col::ref_time, "RefTime", "ref_time"},
    {Col::user_az_off, "UserAzOffset", "az_user_off_arcsec"},
    {Col::user_el_off, "UserElOffset", "el_user_off_arcsec"},
    {Col::paddle_az_off, "PaddleAzOffset", "az_paddle_off_arcsec"},
    {Col::paddle_el_off, "PaddleElOffset", "el_paddle_off_arcsec"},
    {Col::m2x, "M2XOffset", "m2_x_mm"},
    {Col::m2y, "M2YOffset", "m2_y_mm"},
    {Col::m2z, "M2ZOffset", "m2_z_mm"},
};

// One field of a data row into the row's facts; a bad value sets f.error.
void read_field(Col col, const std::string& v, RowFacts& f) {
  auto& m = f.row.meta;
  auto num = [&](const char* name, std::optional<double>& dst) {
    if (!parse_number(v, dst)) f.error = fmt::format("{} is not a number: '{}'", name, v);
  };
  auto text = [&](std::optional<std::string>& dst) {
    if (!v.empty()) dst = v;
  };
  std::optional<double> x;
  for (const ExtraNumber& e : kExtraNumbers)
    if (e.col == col) {
      num(e.name, x);
      if (x) f.extra[e.key] = *x;
      return;
    }
  switch (col) {
    case Col::obsnum:
      if (!parse_obsnum(v, m.obsnum, m.subobsnum, m.scannum))
        f.error = fmt::format("ObsNum '{}' is not obsnum.subobsnum.scannum", v);
      f.have_obsnum = true;
      break;
    case Col::datetime:
      if (!v.empty()) {
        auto t = parse_iso8601(v);
        if (!t) f.error = fmt::format("Date/Time '{}' is not a date and time", v);
        else f.extra["time"] = format_iso8601(*t);
      }
      break;
    case Col::source_name: text(m.source_name); break;
    case Col::obs_goal:
      if (!v.empty()) m.obs_goal = lower(v);
      break;
    case Col::project_id: text(m.project_id); break;
    case Col::obs_pgm: text(m.obs_pgm); break;
    case Col::integration_time: num("IntegrationTime", m.integration_time); break;
    case Col::az: num("Az", m.az_deg); break;
    case Col::el: num("El", m.el_deg); break;
    case Col::z0: case Col::z1: case Col::z2: case Col::z3: case Col::z4: case Col::z5: case Col::z6: {
      int k = static_cast<int>(col) - static_cast<int>(Col::z0);
      num("M1Zernike", f.zernike[static_cast<std::size_t>(k)]);
      break;
    }
    case Col::tau: num("Tau", m.tau); break;
    case Col::crane:
      num("CraneInBeam", x);
      // A flag: only whole numbers an int holds are values (converting anything else is undefined).
      if (x && !(*x == std::trunc(*x) && *x >= INT32_MIN && *x <= INT32_MAX))
        f.error = fmt::format("CraneInBeam '{}' is not a whole number", v);
      else if (x) f.extra["crane_in_beam"] = static_cast<int>(*x);
      break;
    case Col::file_name: f.row.file_name = v; break;
    case Col::valid: {
      std::string l = lower(v);
      if (l.empty()) break;
      if (l == "1" || l == "true" || l == "yes") f.row.valid = true;
      else if (l == "0" || l == "false" || l == "no") f.row.valid = false;
      else f.error = fmt::format("Valid '{}' is not 0 or 1", v);
      break;
    }
    default: break;  // the kExtraNumbers columns, read above
  }
}

// The header row (leading blank lines skipped): each column's meaning, nullopt for unknown ones
// (listed in out.unknown_columns). Throws UserError for an empty file or a header without ObsNum.
std::vector<std::optional<Col>> read_header_row(CsvCursor& cursor, const std::string& source, TelCsvParse& out) {
  std::vector<std::string> fields;
  CsvRecordInfo info;
  std::vector<std::optional<Col>> cols;
  for (;;) {
    if (!cursor.next(fields, info)) throw UserError(fmt::format("{}: empty file (no header row)", source));
    if (is_blank(fields)) continue;
    for (const auto& f : fields) {
      std::string key = column_key(f);
      auto it = column_names().find(key);
      if (it != column_names().end()) {
        cols.emplace_back(it->second);
      } else {
        cols.emplace_back(std::nullopt);
        if (!key.empty()) out.unknown_columns.push_back(trim(f));
      }
    }
    if (std::find(cols.begin(), cols.end(), std::optional<Col>(Col::obsnum)) == cols.end())
      throw UserError(fmt::format("{}:{}: the header row has no ObsNum column", source, info.line));
    return cols;
  }
}

// A well-formed data record into row; the reason it is malformed otherwise ("" = a good row).
std::string read_row(const std::vector<std::string>& fields, const std::vector<std::optional<Col>>& cols,
                     TelCsvRow& row) {
  row.meta.origin = "csv";
  row.meta.master = "tcs";
  RowFacts f{row};
  for (std::size_t i = 0; i < cols.size() && f.error.empty(); ++i)
    if (cols[i]) read_field(*cols[i], trim(fields[i]), f);
  if (f.error.empty() && !f.have_obsnum) f.error = "no ObsNum";
  if (!f.error.empty()) return f.error;
  if (std::any_of(f.zernike.begin(), f.zernike.end(), [](const auto& z) { return z.has_value(); })) {
    nlohmann::json z = nlohmann::json::array();
    for (const auto& v : f.zernike) z.push_back(v ? nlohmann::json(*v) : nlohmann::json(nullptr));
    f.extra["m1_zernike_micron"] = z;
  }
  row.meta.extra_json = f.extra.dump();
  return {};
}

}  // namespace

TelCsvParse parse_tel_csv_text(std::string_view text, const std::string& source) {
  TelCsvParse out;
  CsvCursor cursor(text);
  const std::vector<std::optional<Col>> cols = read_header_row(cursor, source, out);
  std::vector<std::string> fields;
  CsvRecordInfo info;
  while (cursor.next(fields, info)) {
    const std::int64_t start = info.line;
    // A quoted field that runs past the end of its line is a stray quote unless the record it makes is
    // a good row: otherwise this line alone is malformed and parsing resumes at the next one (else one
    // stray quote would swallow every later row).
    const bool spanned = info.lines > 1;
    auto bad = [&](const std::string& reason) {
      if (spanned) {
        cursor.resync_next_line();
        out.malformed.push_back(
            {start, fmt::format("unterminated quoted field: the quote that opens column {} does not close on this "
                                "line{}",
                                info.quote_field + 1, reason.empty() ? "" : " (" + reason + ")")});
      } else {
        out.malformed.push_back({start, reason});
      }
    };
    if (spanned && (info.unterminated || info.text_after_quote || fields.size() != cols.size())) {
      ++out.data_rows;
      bad("");
      continue;
    }
    if (is_blank(fields)) continue;
    ++out.data_rows;
    if (info.unterminated) {
      bad("unterminated quoted field");
      continue;
    }
    if (fields.size() != cols.size()) {
      bad(fmt::format("{} fields, the header has {}", fields.size(), cols.size()));
      continue;
    }
    TelCsvRow row;
    row.line = start;
    row.lines = info.lines;
    if (std::string error = read_row(fields, cols, row); !error.empty()) {
      bad(error);
      continue;
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

TelCsvParse read_tel_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UserError(fmt::format("cannot read {}", path));
  return parse_tel_csv(in, path);
}

TelCsvReport ingest_tel_csv(storage::Registry& s, const std::string& path, bool include_invalid, bool dry_run) {
  auto t0 = std::chrono::steady_clock::now();
  TelCsvReport rep;
  rep.path = path;
  rep.dry_run = dry_run;
  auto parsed = read_tel_csv(path);
  rep.data_rows = parsed.data_rows;
  rep.rows = static_cast<std::int64_t>(parsed.rows.size());
  rep.malformed = static_cast<std::int64_t>(parsed.malformed.size());
  rep.problems = parsed.malformed;
  std::vector<storage::TelMetaRecord> rows;
  // One row per quartet: the last one in the file wins.
  std::map<std::tuple<std::int64_t, std::int32_t, std::int32_t>, std::size_t> index;
  for (auto& r : parsed.rows) {
    if (r.valid && !*r.valid && !include_invalid) {
      ++rep.invalid;
      continue;
    }
    auto key = std::make_tuple(r.meta.obsnum, r.meta.subobsnum, r.meta.scannum);
    auto it = index.find(key);
    if (it != index.end()) {
      rows[it->second] = r.meta;
      ++rep.duplicates;
    } else {
      index.emplace(key, rows.size());
      rows.push_back(r.meta);
    }
  }
  rep.applied = static_cast<std::int64_t>(rows.size());
  auto writer = s.ingest().writer(0);
  storage::IngestWriter& repo = *writer;
  std::set<std::int64_t> obsnums;
  for (const auto& r : rows) obsnums.insert(r.obsnum);
  rep.unmatched_obsnums = repo.count_unmatched_tcs_obsnums({obsnums.begin(), obsnums.end()});
  if (!dry_run) {
    std::vector<storage::EventRecord> events;
    for (const auto& p : parsed.malformed)
      events.push_back({"failed", fmt::format("{}:{}", path, p.line), p.reason, nlohmann::json{{"line", p.line}}.dump()});
    events.push_back({"ingest", path,
                      fmt::format("tel-csv: {} data rows: {} applied, {} invalid skipped, {} duplicates, {} malformed",
                                  rep.data_rows, rep.applied, rep.invalid, rep.duplicates, rep.malformed),
                      nlohmann::json{{"data_rows", rep.data_rows},
                                     {"rows", rep.rows},
                                     {"applied", rep.applied},
                                     {"invalid", rep.invalid},
                                     {"duplicates", rep.duplicates},
                                     {"malformed", rep.malformed}}
                          .dump()});
    auto out = repo.apply_tel_meta(rows, events);
    std::set<std::string> changed(out.changed.begin(), out.changed.end());
    rep.raw_obs_updated = static_cast<std::int64_t>(changed.size());
  }
  rep.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

}  // namespace tolteca::ingest
