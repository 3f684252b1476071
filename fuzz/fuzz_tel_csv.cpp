// libFuzzer target: the LMT metadata catalogue CSV parser (src/ingest/tel_csv.h).
// parse_tel_csv either returns rows (malformed rows reported with a line number inside the input) or
// throws UserError (no ObsNum column); nothing else. Every data row is a row or a malformed report.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "ingest/tel_csv.h"
#include "model/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream in(text);
  try {
    auto parsed = tolteca::ingest::parse_tel_csv(in, "fuzz.csv");
    std::int64_t lines = 1;
    for (char c : text) lines += c == '\n' || c == '\r';
    for (const auto& row : parsed.rows)
      if (row.line < 1 || row.line > lines) {
        std::fprintf(stderr, "fuzz_tel_csv: row line %lld outside 1..%lld\n", static_cast<long long>(row.line),
                     static_cast<long long>(lines));
        std::abort();
      }
    for (const auto& p : parsed.malformed)
      if (p.line < 1 || p.line > lines || p.reason.empty()) {
        std::fprintf(stderr, "fuzz_tel_csv: malformed row report line %lld outside 1..%lld or empty reason\n",
                     static_cast<long long>(p.line), static_cast<long long>(lines));
        std::abort();
      }
    if (parsed.data_rows != static_cast<std::int64_t>(parsed.rows.size() + parsed.malformed.size())) {
      std::fprintf(stderr, "fuzz_tel_csv: data_rows %lld != rows %zu + malformed %zu\n",
                   static_cast<long long>(parsed.data_rows), parsed.rows.size(), parsed.malformed.size());
      std::abort();
    }
  } catch (const tolteca::UserError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_tel_csv: parse_tel_csv threw a non-UserError: %s\n", e.what());
    std::abort();
  }
  return 0;
}
