#include "storage/sitedb/site_db_common.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>

#include "model/error.h"

namespace tolteca::storage::sitedb {

namespace {

// The SELECT list's columns; `optional` ones may be missing from the table (read as NULL).
struct Column {
  const char* name;
  bool optional;
  bool integer;
};
constexpr std::array<Column, kSelectColumns> kColumns{{
    {"id", false, false},
    {"Date", false, false},
    {"Time", false, false},
    {"RoachIndex", false, true},
    {"ObsType", false, true},
    {"Master", false, true},
    {"RepeatLevel", true, true},
    {"ObsNum", false, true},
    {"SubObsNum", false, true},
    {"ScanNum", false, true},
    {"TargSweepObsNum", true, true},
    {"TargSweepSubObsNum", true, true},
    {"TargSweepScanNum", true, true},
    {"FileName", false, false},
    {"Valid", false, true},
}};

bool is_time_literal(const std::string& s) {
  // YYYY-MM-DD or YYYY-MM-DD HH:MM:SS
  static constexpr std::string_view kShape = "dddd-dd-dd dd:dd:dd";
  if (s.size() != 10 && s.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool digit = s[i] >= '0' && s[i] <= '9';
    if (kShape[i] == 'd' ? !digit : s[i] != kShape[i]) return false;
  }
  return true;
}

std::optional<std::int64_t> code_of(std::string_view label, std::initializer_list<std::string_view> names) {
  std::int64_t code = 0;
  const std::string l = lower(std::string(label));
  for (auto n : names) {
    if (l == n) return code;
    ++code;
  }
  return std::nullopt;
}

}  // namespace

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

void check_columns(const std::set<std::string>& cols, const std::string& source) {
  if (cols.empty()) throw UserError(fmt::format("site database {} has no 'toltec' table", source));
  for (const auto& c : kColumns)
    if (!c.optional && !cols.count(lower(c.name)))
      throw UserError(fmt::format("site database {}: table 'toltec' has no column '{}'", source, lower(c.name)));
}

std::string select_list(const std::set<std::string>& cols, const std::string& date, const std::string& time) {
  std::string out;
  for (const auto& c : kColumns) {
    if (!out.empty()) out += ", ";
    const std::string name = c.name;
    if (name == "Date")
      out += date;
    else if (name == "Time")
      out += time;
    else
      out += c.optional && !cols.count(lower(name)) ? std::string("NULL") : name;
  }
  return out;
}

const char* int_column_name(int position) {
  if (position < 0 || position >= kSelectColumns || !kColumns[static_cast<std::size_t>(position)].integer)
    return nullptr;
  return kColumns[static_cast<std::size_t>(position)].name;
}

std::optional<std::int64_t> int_from_text(std::string_view v, bool is_number, const char* name, SiteDbRow& row) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  std::int64_t x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec == std::errc() && p == v.data() + v.size() && !v.empty()) return x;
  if (is_number) {
    // A DECIMAL or floating value that is a whole number (3.0, 3.000) is that integer.
    double d = 0;
    auto [pd, ecd] = std::from_chars(v.data(), v.data() + v.size(), d);
    if (ecd == std::errc() && pd == v.data() + v.size() && std::isfinite(d) && d == std::trunc(d) &&
        std::fabs(d) < 9.2e18)
      return static_cast<std::int64_t>(d);
    row.bad_values[name] = fmt::format("{} {} is not an integer", name, std::string(v.substr(0, 40)));
    return std::nullopt;
  }
  row.bad_values[name] =
      fmt::format("{} '{}' is {}", name, std::string(v.substr(0, 40)),
                  ec == std::errc::result_out_of_range ? "out of range of a 64-bit integer" : "not an integer");
  return std::nullopt;
}

void Labels::add_master(std::int64_t id, std::string_view label) {
  if (auto c = code_of(label, {"tcs", "ics", "clip", "repeat"})) master[id] = *c;
}

void Labels::add_obs_type(std::int64_t id, std::string_view label) {
  if (auto c = code_of(label, {"nominal", "timestream", "vna", "targ", "tune"})) obs_type[id] = *c;
}

void Labels::apply(SiteDbRow& row) const {
  auto map = [](const std::map<std::int64_t, std::int64_t>& m, std::optional<std::int64_t>& v) {
    if (!v) return;
    if (auto it = m.find(*v); it != m.end()) v = it->second;
  };
  map(master, row.master);
  map(obs_type, row.obs_type);
}

std::string where_clause(const SiteDbFilter& filter, const Labels& labels, const std::string& datetime,
                         const std::string& date) {
  // The literals are checked below (digits, '-', ':', ' '): nothing to escape.
  auto quote = [](const std::string& literal) { return "'" + literal + "'"; };
  std::string sql = "1=1";
  for (const auto* bound : {&filter.since, &filter.until})
    if (!bound->empty() && !is_time_literal(*bound))
      throw UserError(fmt::format("site database filter '{}': expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS", *bound));
  if (!filter.since.empty()) {
    // The Date bound first: it lets an index on Date narrow the rows.
    sql += fmt::format(" AND {} >= {} AND {} >= {}", date, quote(filter.since.substr(0, 10)), datetime,
                       quote(filter.since));
  }
  if (!filter.until.empty()) {
    if (filter.until.size() == 10)
      sql += fmt::format(" AND {} <= {}", date, quote(filter.until));
    else
      sql += fmt::format(" AND {} <= {} AND {} <= {}", date, quote(filter.until.substr(0, 10)), datetime,
                         quote(filter.until));
  }
  if (!filter.obs_types.empty()) {
    std::set<std::int64_t> ids;
    for (int code : filter.obs_types) {
      if (labels.obs_type.empty()) {
        ids.insert(code);
        continue;
      }
      for (const auto& [id, c] : labels.obs_type)
        if (c == code) ids.insert(id);
    }
    if (ids.empty()) return sql + " AND 1=0";
    sql += " AND ObsType IN (";
    bool first = true;
    for (auto id : ids) {
      if (!first) sql += ',';
      first = false;
      sql += std::to_string(id);
    }
    sql += ")";
  }
  if (filter.valid_only) sql += " AND Valid <> 0";
  if (filter.min_id > 0) sql += fmt::format(" AND id >= {}", filter.min_id);
  return sql;
}

}  // namespace tolteca::storage::sitedb
