#pragma once
// Observation specs: the user's shorthand for selecting raw observations (and
// their files). Grammar (../shared/spec/domain.md, "Observation specs"):
//
//   spec    := [master '-'] number ['-' number ['-' number]] ['/' iface]
//            | [master '-'] 'latest' ['/' iface]
//   master  := tcs | ics | clip              (any letter case)
//   number  := DIGITS                        a value
//            | '{' [DIGITS {',' DIGITS}] '}' a set ('{}' = all)
//            | '[' [a] [':' [b] [':' step]] ']'   half-open range a..b-1 ('[]', '[:]' = all)
//   iface   := DIGITS (network N = toltecN) | toltecN | hwpr | toltec_hk | tel_toltec | tel_toltec2 | wyatt
//
// Blanks are allowed inside '{…}' and '[…]' and around the whole spec. A spec
// that does not parse throws SpecError naming the offending character.
// Pure: no SQL here (src/db/query_repo.h turns specs into a bound WHERE).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"
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

class SpecError : public UserError {
 public:
  SpecError(std::string spec, std::size_t position, const std::string& reason);
  const std::string& spec() const { return spec_; }
  std::size_t position() const { return position_; }  // 0-based character offset into spec()
  const std::string& reason() const { return reason_; }

 private:
  std::string spec_;
  std::size_t position_;
  std::string reason_;
};

// Throws SpecError.
ObsSpec parse_spec(std::string_view text);
std::vector<ObsSpec> parse_specs(const std::vector<std::string>& texts);
// Canonical text of a spec ("ics-18366-[0:10]-{2,3}/toltec7").
std::string to_string(const ObsSpec& spec);
std::string to_string(const NumberSel& sel);

// Interface names a spec or option may name: toltec0..12, hwpr, toltec_hk,
// tel_toltec, tel_toltec2, wyatt. nullopt otherwise. A bare number N -> toltecN.
std::optional<std::string> normalize_interface(std::string_view text);

}  // namespace tolteca::query
