#pragma once
// The DuckDB AssocStore (storage/assoc_store.h) over an open db::Session.
// The one place that makes it: the CLI (cli/assoc_open.h), the tests and the
// benches call make_assoc_store; Registry::assoc() will.
#include <memory>

#include "db/session.h"
#include "storage/assoc_store.h"

namespace tolteca::storage::duckdb {

// The store borrows the session (which must outlive it); read_only() is the session's.
std::unique_ptr<AssocStore> make_assoc_store(db::Session& session, const AssocOptions& options = {});

}  // namespace tolteca::storage::duckdb
