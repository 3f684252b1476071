#pragma once
// Which networks an observation should have, and which it misses
// (`query obs --incomplete`). No SQL: storage/query_store.h gathers the networks.
//
// Expected networks of a raw observation: every network (roach number) that
// some raw observation of the same master recorded a file of during the same
// UT night (the date of its start time). An observation is incomplete when a
// network of that set has no file of it recorded (a file recorded as missing
// on disk still counts as recorded: `query files --missing` lists those).
// Observations without a start time have no night and are never incomplete.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/query_types.h"

namespace tolteca::query {

// The UT night of a start time: "YYYY-MM-DD".
std::string night_of(UnixMicros start_time);

// Expected networks minus the observation's networks, ascending (empty: complete).
std::vector<int> missing_networks(const ObsRow& o, const NightNetworks& nights);

}  // namespace tolteca::query
