#pragma once
// Internal to the DuckDB backend's queries (query_*.cpp): the SQL pieces they
// share: value readers, ordering, the observation filter's WHERE, the file
// row projection, bound id lists. Not part of any interface.
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "model/product_type.h"
#include "model/query_types.h"
#include "storage/duckdb/duckdb.h"
#include "storage/duckdb/in_list.h"
#include "storage/duckdb/query_repo.h"
#include "storage/duckdb/session.h"

namespace tolteca::storage::duckdb::sql {

inline constexpr const char* kMasterCode = "CASE {0}.master WHEN 'tcs' THEN 0 WHEN 'ics' THEN 1 WHEN 'clip' THEN 2 END";
// The vocabulary (model/product_type.h) as SQL text: "'dp_raw_obs'".
inline const std::string kRaw = quote_literal(product_type::raw_obs);
// The product types of every group, the named ones included: "('dp_cal_group', ...)".
inline const std::vector<std::string> kGroupProductTypes(std::begin(product_type::groups),
                                                        std::end(product_type::groups));
inline const std::string kGroupTypes = in_list(kGroupProductTypes);
// "'dpa_raw_obs_cal_obs'", "'dpa_reduced_obs_raw_obs'".
inline const std::string kCalEdge = quote_literal(edge_type::raw_obs_cal_obs);
inline const std::string kReducedEdge = quote_literal(edge_type::reduced_obs_raw_obs);
inline constexpr const char* kFileColumnsNoUid =
    "s.interface, s.roach, s.data_kind, s.is_raw, s.availability, l.label, s.rel_path, l.root_path, s.size, "
    "s.file_time, s.problem";
inline constexpr const char* kFileColumns =
    "p.uid, s.interface, s.roach, s.data_kind, s.is_raw, s.availability, l.label, s.rel_path, l.root_path, s.size, "
    "s.file_time, s.problem";
// Up to this many ids are passed as a bound IN list (DuckDB then uses the ART
// indexes on sources.product_id / edges); beyond, a semi-join on the query.
inline constexpr std::size_t kMaxIdList = 2048;

void number_condition(const query::NumberSel& sel, const std::string& col, std::vector<std::string>& conds,
                      std::vector<Value>& params);

std::string join_and(const std::vector<std::string>& conds);

void quartet_conditions(const query::ObsSpec& spec, const std::string& a, std::vector<std::string>& conds,
                        std::vector<Value>& params);

std::int64_t as_int(const Value& v);

std::optional<std::int64_t> opt_int(const Value& v);

std::string as_str(const Value& v);

std::optional<std::string> opt_str(const Value& v);

std::optional<double> opt_double(const Value& v);

std::optional<UnixMicros> opt_time(const Value& v);

bool as_bool(const Value& v);

std::string join_path(const std::string& root, const std::string& rel);

void append(std::vector<Value>& to, const std::vector<Value>& from);

Result run(Session& s, const std::string& sql, const std::vector<Value>& params);

std::string sequence_order(const std::string& a, bool desc = false);

std::string obsnum_order(const std::string& a, bool desc = false);

std::string kinds_sql(const std::string& col);

std::string lower_copy(std::string v);

BoundSql obs_conditions(const query::ObsFilter& f);

BoundSql obs_cte(const query::ObsFilter& f);

query::FileRow read_file_row(const std::vector<Value>& r);

std::string type_of_product(const std::string& product_type);

BoundSql id_set(const std::vector<std::int64_t>& ids, const BoundSql& query);

}  // namespace tolteca::storage::duckdb::sql
