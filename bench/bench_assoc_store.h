#pragma once
// The benches' association store of a session: the DuckDB one, tracing its
// queries when TOLTECA_ASSOC_TRACE=1 (as the CLI does, cli/assoc_open.h).
#include <cstdlib>
#include <memory>

#include "storage/duckdb/session.h"
#include "storage/duckdb/assoc_store.h"

namespace tolteca::bench {

inline std::unique_ptr<storage::AssocStore> assoc_store(storage::duckdb::Session& s) {
  storage::AssocOptions o;
  const char* e = std::getenv("TOLTECA_ASSOC_TRACE");
  o.trace = e && *e && *e != '0';
  return storage::duckdb::make_assoc_store(s, o);
}

}  // namespace tolteca::bench
