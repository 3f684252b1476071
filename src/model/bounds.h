#pragma once
// What the domain allows for the numbers read from netCDF headers and site-database rows
// (../shared/spec/domain.md), and checks that report a value outside it instead of wrapping,
// truncating or silently dropping it. Every check returns the value when it is allowed, or nullopt
// after appending one problem line that names the field and the value ("Header.Toltec.SubObsNum
// 4294967296 is out of range 0..999999999"); the caller stores nothing for a nullopt (NULL) and
// flags the file with the problem.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/time.h"

namespace tolteca::bounds {

// Observation numbers: non-negative, at most nine digits, the same bound the file-name parser uses,
// so that any allowed header or site-database value can also appear in a file name (and fits int32).
constexpr std::int64_t kMaxObsNum = 999'999'999;
constexpr std::int64_t kMaxSubObsNum = 999'999'999;
constexpr std::int64_t kMaxScanNum = 999'999'999;
// Integer codes: master 0 tcs, 1 ics, 2 clip; networks toltec0..12; ObsType 0..4.
constexpr std::int64_t kMaxMasterCode = 2;
constexpr std::int64_t kMaxRoach = 12;
constexpr std::int64_t kMaxObsType = 4;
// Plausible times: not before 2015-01-01T00:00:00Z (TolTEC was built later) and not more than one
// day after the current time.
constexpr UnixMicros kEarliestTime = 1'420'070'400LL * 1'000'000;
constexpr UnixMicros kFutureSlack = 86'400LL * 1'000'000;

// The current time (microseconds since the epoch, UTC).
UnixMicros now_micros();

// "4294967296", "-5", "NaN", "inf", "-9.9e+11", "0.25": a number as a problem line shows it.
std::string format_value(double v);

// v within [lo, hi].
std::optional<std::int64_t> check_int(std::optional<std::int64_t> v, std::string_view field, std::int64_t lo,
                                      std::int64_t hi, std::vector<std::string>& problems);
// v finite (not NaN, not ±Inf).
std::optional<double> check_finite(std::optional<double> v, std::string_view field, std::vector<std::string>& problems);
// v finite and >= lo (strictly > lo when strict).
std::optional<double> check_at_least(std::optional<double> v, std::string_view field, double lo, bool strict,
                                     std::vector<std::string>& problems);

// True when t lies in [kEarliestTime, now + kFutureSlack].
bool plausible_time(UnixMicros t, UnixMicros now);
// A time in unix seconds (any double): converted when plausible.
std::optional<UnixMicros> check_time_seconds(std::optional<double> seconds, std::string_view field, UnixMicros now,
                                             std::vector<std::string>& problems);
// A time already in microseconds (a file name's timestamp, a site-database Date/Time).
std::optional<UnixMicros> check_time(std::optional<UnixMicros> t, std::string_view field, UnixMicros now,
                                     std::vector<std::string>& problems);

}  // namespace tolteca::bounds
