#pragma once
// The networks each master recorded per UT night (for query/coverage.h).
#include "storage/duckdb/session.h"
#include "model/query_types.h"

namespace tolteca::storage::duckdb {

// Every (master, night) with a network file of a raw observation, and its networks.
query::NightNetworks night_networks(Session& s);

}  // namespace tolteca::storage::duckdb
