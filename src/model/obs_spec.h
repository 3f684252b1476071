#pragma once
// A parsed observation spec: the selection of raw observations (and their
// files) the user's shorthand names. Plain data; query/spec.h parses the text
// (grammar there), the storage backend turns specs into a bound condition.
// (Namespace tolteca::query, as before the move to model/.)
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/master.h"
#include "model/quartet.h"

namespace tolteca::query {

// A selection of one number of the quartet.
struct NumberSel {
  enum class Kind : std::uint8_t { all, value, set, range };
  Kind kind = Kind::all;
  std::vector<std::int64_t> values;  // value: one element; set: sorted, unique, non-empty
  std::optional<std::int64_t> start;  // range: inclusive start (nullopt: open)
  std::optional<std::int64_t> stop;   // range: exclusive stop (nullopt: open)
  std::int64_t step = 1;              // range: > 0; counted from start (or 0 when start is open)

  static NumberSel all() { return {}; }
  static NumberSel value(std::int64_t v) { return {Kind::value, {v}, {}, {}, 1}; }
  bool is_all() const { return kind == Kind::all; }
  bool matches(std::int64_t v) const;
  bool operator==(const NumberSel&) const = default;
};

struct ObsSpec {
  std::optional<Master> master;  // nullopt: any master
  NumberSel obsnum, subobsnum, scannum;
  bool latest = false;  // the newest raw observation (by start time) among those the rest selects
  // Interface selection ("/7", "/toltec7", "/hwpr"): restricts files; for
  // observations it means "has a file of that interface".
  std::optional<std::string> interface;  // "toltec7", "hwpr", "tel_toltec", …
  std::optional<int> roach;              // 7 for toltec7
  std::string text;                      // as given (trimmed)

  // True when every quartet matches (no master, all numbers all, not latest).
  bool selects_all_observations() const;
  // Quartet part only (latest and interface are not decided here).
  bool matches(const Quartet& q) const;
  bool operator==(const ObsSpec&) const = default;
};

}  // namespace tolteca::query
