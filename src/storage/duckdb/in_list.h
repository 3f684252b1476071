#pragma once
// The DuckDB backend's one IN-list builder: every "x IN (...)" (and the id
// lists used as a table) of the backend's SQL is built here.
//
// Literal lists (the values written into the SQL text): up to kLiteralListMax
// values a plain list; beyond, a semi-join on one split string, which DuckDB
// runs faster than a long literal list (measured: bench/RESULTS.md).
// Bound lists ("(?, ?)" plus parameters): DuckDB then uses the ART indexes.
// An empty list is "(NULL)" (matches no row).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "storage/duckdb/duckdb.h"

namespace tolteca::storage::duckdb {

inline constexpr std::size_t kLiteralListMax = 32;

// "(1,2,3)"; beyond kLiteralListMax "(SELECT unnest(CAST(string_split('1,2,...', ',') AS BIGINT[])))".
std::string in_list(const std::vector<std::int64_t>& v);
// "('a','b')" (quoted); beyond kLiteralListMax "(SELECT unnest(string_split('a<US>b...', chr(31))))"
// (US = the unit separator 0x1f; the plain list when a value holds one).
std::string in_list(const std::vector<std::string>& v);
// "col IN in_list(v)"; beyond kLiteralListMax also "col BETWEEN min AND max", which lets
// DuckDB skip row groups (it does so itself for literal lists, not for semi-joins). v sorted, unique.
std::string in_cond(const std::string& col, const std::vector<std::int64_t>& sorted_unique);
// The values as a one-column table named x: "(SELECT unnest(CAST(string_split(...) AS BIGINT[])) AS x)".
std::string int_table(const std::vector<std::int64_t>& v);

// "(?, ?, ?)", each value appended to params in order; "(NULL)" when empty.
std::string bound_in_list(const std::vector<std::int64_t>& v, std::vector<Value>& params);
std::string bound_in_list(const std::vector<std::string>& v, std::vector<Value>& params);

}  // namespace tolteca::storage::duckdb
