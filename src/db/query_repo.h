#pragma once
// Queries, statistics, provenance and exports over the registry. All SQL of
// the query part lives in query_repo.cpp; signatures here carry no SQL and no
// DuckDB types. User text never reaches SQL text: specs and filters become
// '?' placeholders with bound values.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/duckdb.h"
#include "db/session.h"
#include "query/spec.h"

namespace tolteca::db {

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

}  // namespace tolteca::db
