#pragma once
// Observation specs with some fields replaced: the original Python API's
// `get_raw_obs_info_table(obs_spec, master=…, obsnum=…, subobsnum=…, scannum=…, interface=…)`
// (../shared/spec/seed-cli.md, "The original Python API"), where an explicit argument overrides
// the spec's field. Pure vocabulary: no storage, no parsing (query/spec.h parses).
#include <cstdint>
#include <optional>
#include <string>

#include "model/obs_spec.h"

namespace tolteca::query {

struct SpecOverride {
  std::optional<Master> master;
  std::optional<std::int64_t> obsnum, subobsnum, scannum;  // each replaces that number with one value
  // An interface as query::normalize_interface gives it ("toltec7", "hwpr", …); replaces the spec's.
  std::optional<std::string> interface;
};

// `spec` with every field `o` sets replaced. An obsnum replaces `latest` too (the spec then names
// that obsnum); subobsnum or scannum on a `latest` spec without an obsnum throws UserError (a latest
// spec names no sub-observation: "latest" is the newest raw observation as a whole).
// The result's `text` is its canonical text (query::to_string), which query::parse_spec reads back
// as the same spec.
ObsSpec override_spec(ObsSpec spec, const SpecOverride& o);

}  // namespace tolteca::query
