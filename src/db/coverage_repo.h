#pragma once
// The networks each master recorded per UT night (for query/coverage.h).
#include "db/session.h"
#include "query/coverage.h"

namespace tolteca::db {

// Every (master, night) with a network file of a raw observation, and its networks.
query::NightNetworks night_networks(Session& s);

}  // namespace tolteca::db
