#pragma once
// The DuckDB AssocStore (storage/assoc_store.h) over an open Session.
// The one place that makes it: the CLI (cli/assoc_open.h), the tests and the
// benches call make_assoc_store; Registry::assoc() will.
#include <memory>

#include "db/session.h"
#include "storage/assoc_store.h"

namespace tolteca::storage::duckdb {

// The DuckDB wrapper's session (db/session.h; the same name in this
// namespace once the wrapper moves to storage/duckdb/: drop this line then).
using db::Session;

// The store borrows the session (which must outlive it); read_only() is the session's.
std::unique_ptr<AssocStore> make_assoc_store(Session& session, const AssocOptions& options = {});

}  // namespace tolteca::storage::duckdb
