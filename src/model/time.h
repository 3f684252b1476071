#pragma once
// Times are microseconds since the Unix epoch, UTC (DuckDB's TIMESTAMP unit).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tolteca {

using UnixMicros = std::int64_t;

constexpr UnixMicros micros_from_seconds(double s) { return static_cast<UnixMicros>(s * 1e6); }

// Days since 1970-01-01 for a proleptic Gregorian date (no validation).
std::int64_t days_from_civil(int y, unsigned m, unsigned d);
// Validated: returns nullopt for impossible dates/times.
std::optional<UnixMicros> make_utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0);
// Broken-down UTC time (proleptic Gregorian).
struct CivilTime {
  int year, month, day, hour, minute, second;
};
CivilTime civil_from_micros(UnixMicros t);

// "2024-11-13T17:24:46Z": the one time format of every output (UTC, whole seconds; a fraction is
// dropped, rounding towards the past).
std::string format_iso8601(UnixMicros t);
// Accepts "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]", "YYYY-MM-DDTHH:MM[:SS][Z]".
std::optional<UnixMicros> parse_iso8601(std::string_view text);

}  // namespace tolteca
