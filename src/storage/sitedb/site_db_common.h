#pragma once
// What the site-database readers (sqlite_reader.cpp, mysql_reader.cpp) share: the columns of the
// `toltec` table they need, the checks of integer values, the label tables, and the WHERE clause of a
// SiteDbFilter. Internal to storage/sitedb/.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "storage/site_db.h"

namespace tolteca::storage::sitedb {

// The lower-case column names of `toltec` -> nothing; throws UserError naming `source` when the table
// is absent (no columns) or lacks a required column.
void check_columns(const std::set<std::string>& lower_columns, const std::string& source);

// Lower-cases ASCII.
std::string lower(std::string s);

// The SELECT list, in the order read_row expects: id, Date, Time, RoachIndex, ObsType, Master,
// RepeatLevel, ObsNum, SubObsNum, ScanNum, TargSweepObsNum, TargSweepSubObsNum, TargSweepScanNum,
// FileName, Valid. Optional columns absent from the table are NULL. `date`/`time` are the
// expressions that give Date as "YYYY-MM-DD" and Time as "HH:MM:SS".
std::string select_list(const std::set<std::string>& lower_columns, const std::string& date,
                        const std::string& time);
constexpr int kSelectColumns = 15;
// The names of the integer columns of the SELECT list, by position (nullptr for id, Date, Time,
// FileName).
const char* int_column_name(int position);

// An integer given as text. Exactly an integer (spaces around allowed) -> it; else nullopt and an
// entry in row.bad_values: "SubObsNum '12abc' is not an integer" (quoted: a text value) or
// "SubObsNum 1.5 is not an integer" (a number). Never truncated or read as a prefix.
std::optional<std::int64_t> int_from_text(std::string_view text, bool is_number, const char* name,
                                          SiteDbRow& row);

// The label tables: stored id -> code of the domain, for Master and ObsType. Empty: no table (ids
// are the codes).
struct Labels {
  std::map<std::int64_t, std::int64_t> master, obs_type;
  // Adds one row of master(id, label) or obstype(id, label); an unknown label maps nothing.
  void add_master(std::int64_t id, std::string_view label);
  void add_obs_type(std::int64_t id, std::string_view label);
  // Replaces row.master / row.obs_type by their codes.
  void apply(SiteDbRow& row) const;
};

// The WHERE clause (without "WHERE") of `filter` over `toltec`, for a dialect: `datetime` is the
// expression of Date and Time as one comparable value, `date` that of Date. since/until are checked
// literals ("YYYY-MM-DD[ HH:MM:SS]": digits, '-', ':', ' '), quoted as '...' in both dialects.
// filter.obs_types are codes, turned into the stored ids through `labels`. Throws UserError for a
// since/until that is not such a literal.
std::string where_clause(const SiteDbFilter& filter, const Labels& labels, const std::string& datetime,
                         const std::string& date);

}  // namespace tolteca::storage::sitedb
