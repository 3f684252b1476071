// libFuzzer target: the TolTEC file-name parser (src/files/filename.h).
// Invariants checked beyond "no crash, no UB":
//  - parse_filename never throws (it returns a typed rejection);
//  - a parsed name with a timestamp formats to a canonical name that parses back to the same ids,
//    interface, kind bits, suffix and extension (round trip), and formatting is idempotent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <string_view>

#include "files/filename.h"

using namespace tolteca::files;

namespace {
[[noreturn]] void fail(const char* what, std::string_view input, const std::string& extra = {}) {
  std::fprintf(stderr, "fuzz_filename: %s\n  input: '%.*s'\n  %s\n", what, static_cast<int>(input.size()),
               input.data(), extra.c_str());
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  NameParse parse;
  try {
    parse = parse_filename(input);
  } catch (const std::exception& e) {
    fail("parse_filename threw", input, e.what());
  }
  const ParsedName* p = as_parsed(parse);
  if (!p) {
    const NameRejection* r = as_rejection(parse);
    (void)to_string(r->reason);
    return 0;
  }
  if (p->kind == InterfaceKind::toltec && (!p->roach || *p->roach < 0 || *p->roach > 12))
    fail("toltec name without a network 0..12", input);
  (void)p->quartet();
  if (!p->file_time) return 0;
  std::string canonical;
  try {
    canonical = format_filename(*p);
  } catch (const std::exception& e) {
    fail("format_filename threw on a parsed name with a timestamp", input, e.what());
  }
  NameParse again = parse_filename(canonical);
  const ParsedName* q = as_parsed(again);
  if (!q) fail("canonical name does not parse", input, canonical);
  if (q->kind != p->kind || q->interface != p->interface || q->roach != p->roach || q->obsnum != p->obsnum ||
      q->subobsnum != p->subobsnum || q->scannum != p->scannum || q->suffix != p->suffix ||
      q->extension != p->extension || q->is_raw != p->is_raw || q->data_kind != p->data_kind ||
      q->file_time != p->file_time)
    fail("round trip changed the parsed name", input, canonical);
  if (format_filename(*q) != canonical) fail("formatting is not idempotent", input, canonical);
  if (p->master || p->kind == InterfaceKind::tel_toltec || p->kind == InterfaceKind::tel_toltec2) {
    try {
      (void)format_relative_path(*p);
    } catch (const std::exception& e) {
      fail("format_relative_path threw", input, e.what());
    }
  }
  return 0;
}
