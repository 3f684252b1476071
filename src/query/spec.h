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
// The parser only: the parsed ObsSpec is vocabulary (model/obs_spec.h); the
// storage backend turns specs into a bound WHERE.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/error.h"
#include "model/obs_spec.h"

namespace tolteca::query {

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
