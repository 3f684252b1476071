// libFuzzer target: the observation-spec parser (src/query/spec.h).
// Invariants: parse_spec either returns a spec or throws SpecError (a UserError) whose position lies
// within the spec text; a parsed spec prints (to_string) to text that parses back to the same selection;
// matches() never crashes on extreme quartets.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include "query/spec.h"

using namespace tolteca;
using namespace tolteca::query;

namespace {
[[noreturn]] void fail(const char* what, std::string_view input, const std::string& extra = {}) {
  std::fprintf(stderr, "fuzz_spec: %s\n  input: '%.*s'\n  %s\n", what, static_cast<int>(input.size()), input.data(),
               extra.c_str());
  std::abort();
}

bool same_selection(const ObsSpec& a, const ObsSpec& b) {
  return a.master == b.master && a.obsnum == b.obsnum && a.subobsnum == b.subobsnum && a.scannum == b.scannum &&
         a.latest == b.latest && a.interface == b.interface && a.roach == b.roach;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  ObsSpec spec;
  try {
    spec = parse_spec(input);
  } catch (const SpecError& e) {
    if (e.position() > e.spec().size()) fail("SpecError position beyond the text", input, e.what());
    if (std::string_view(e.what()).empty()) fail("SpecError without a message", input);
    return 0;
  } catch (const std::exception& e) {
    fail("parse_spec threw something other than SpecError", input, e.what());
  }
  const std::int64_t extremes[] = {0, 1, 18366, std::numeric_limits<std::int64_t>::max(),
                                   std::numeric_limits<std::int64_t>::min(), -1};
  for (auto v : extremes) {
    (void)spec.obsnum.matches(v);
    (void)spec.subobsnum.matches(v);
    (void)spec.scannum.matches(v);
  }
  (void)spec.matches(Quartet{Master::ics, 18366, 0, 0});
  (void)spec.selects_all_observations();
  std::string printed = to_string(spec);
  ObsSpec again;
  try {
    again = parse_spec(printed);
  } catch (const std::exception& e) {
    fail("to_string of a parsed spec does not parse", input, printed + " : " + e.what());
  }
  if (!same_selection(spec, again)) fail("round trip changed the selection", input, printed + " -> " + to_string(again));
  return 0;
}
