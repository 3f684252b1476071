#pragma once
// The DuckDB FixtureStore (storage/fixture_store.h) over an open Session.
#include <memory>

#include "storage/duckdb/session.h"
#include "storage/fixture_store.h"

namespace tolteca::storage::duckdb {

// The store borrows the session (which must outlive it).
std::unique_ptr<FixtureStore> make_fixture_store(Session& session);

}  // namespace tolteca::storage::duckdb
