#pragma once
// Queries, statistics, provenance and exports over the registry (the DuckDB
// side of storage/query_store.h). The SQL lives in one file per query:
// spec_sql.cpp (specs -> a bound condition), query_obs.cpp, query_files.cpp,
// query_groups.cpp, query_stats.cpp, query_provenance.cpp, query_export.cpp;
// the pieces they share in query_sql.h. Signatures here carry no SQL and no
// DuckDB types. User text never reaches SQL text: specs and filters become
// '?' placeholders with bound values.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/duckdb/duckdb.h"
#include "storage/duckdb/session.h"
#include "model/obs_spec.h"

namespace tolteca::storage::duckdb {

// A SQL fragment with '?' placeholders and the values to bind, in order.
struct BoundSql {
  std::string sql;
  std::vector<Value> params;
};

enum class SpecTarget {
  observations,  // condition on raw observations (alias p); "/iface" = has a file of that interface
  files,         // condition on files (alias s) joined to their raw observation (alias p)
};

// OR of the specs' conditions ("TRUE" for no specs). Never pastes user text.
BoundSql spec_condition(const std::vector<query::ObsSpec>& specs, SpecTarget target);

}  // namespace tolteca::storage::duckdb

#include "model/query_types.h"

namespace tolteca::storage::duckdb {

// Raw observations matching the filter, with their files' summary, groups and
// cal observations; with_files also fills ObsRow::files.
std::vector<query::ObsRow> query_obs(Session& s, const query::ObsFilter& f, bool with_files = false);

// Files of the matching observations, in sequence order, absolute paths.
std::vector<query::FileRow> query_files(Session& s, const query::FileFilter& f);

// Groups (association products). Throws UserError for an unknown type.
std::vector<query::GroupRow> query_groups(Session& s, const query::GroupFilter& f);

query::Stats query_stats(Session& s);

// Provenance of each observation the specs select (at most `limit`).
std::vector<query::Provenance> query_provenance(Session& s, const std::vector<query::ObsSpec>& specs,
                                                std::int64_t limit = 100);

// Writes the selection with DuckDB's COPY. Throws UserError for an unknown
// --what, a --where naming an unknown column or a value of the wrong type,
// specs on a plain table, or an unwritable output.
query::ExportResult export_query(Session& s, const query::ExportRequest& r);

// Columns (name, DuckDB type name) an export of `what` has: the --where whitelist.
std::vector<std::pair<std::string, std::string>> export_columns(Session& s, const std::string& what);

}  // namespace tolteca::storage::duckdb
