#pragma once
// The DuckDB AssocStore (storage/assoc_store.h) over an open Session.
// The one place that makes it: the CLI (cli/assoc_open.h), the tests and the
// benches call make_assoc_store; so does the DuckDB Registry::assoc().
#include <memory>

#include "storage/duckdb/session.h"
#include "storage/assoc_store.h"

namespace tolteca::storage::duckdb {

// The store borrows the session (which must outlive it); read_only() is the session's.
std::unique_ptr<AssocStore> make_assoc_store(Session& session, const AssocOptions& options = {});

}  // namespace tolteca::storage::duckdb
