#include "model/bounds.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

namespace tolteca::bounds {

UnixMicros now_micros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::fabs(v) < 9e15 && v == std::trunc(v)) return fmt::format("{}", static_cast<std::int64_t>(v));
  return fmt::format("{}", v);
}

std::optional<std::int64_t> check_int(std::optional<std::int64_t> v, std::string_view field, std::int64_t lo,
                                      std::int64_t hi, std::vector<std::string>& problems) {
  if (!v) return std::nullopt;
  if (*v >= lo && *v <= hi) return v;
  problems.push_back(fmt::format("{} {} is out of range {}..{}", field, *v, lo, hi));
  return std::nullopt;
}

std::optional<double> check_finite(std::optional<double> v, std::string_view field, std::vector<std::string>& problems) {
  if (!v) return std::nullopt;
  if (std::isfinite(*v)) return v;
  problems.push_back(fmt::format("{} is {} (not a finite number)", field, format_value(*v)));
  return std::nullopt;
}

std::optional<double> check_at_least(std::optional<double> v, std::string_view field, double lo, bool strict,
                                     std::vector<std::string>& problems) {
  auto f = check_finite(v, field, problems);
  if (!f) return std::nullopt;
  if (strict ? *f > lo : *f >= lo) return f;
  problems.push_back(fmt::format("{} {} is out of range (must be {} {})", field, format_value(*f), strict ? ">" : ">=",
                                 format_value(lo)));
  return std::nullopt;
}

bool plausible_time(UnixMicros t, UnixMicros now) { return t >= kEarliestTime && t <= now + kFutureSlack; }

namespace {

// No clock reading in the text: the same bad value gives the same problem line on every run.
std::string time_range_text() { return "expected 2015-01-01 .. one day after the current time"; }

}  // namespace

std::optional<UnixMicros> check_time_seconds(std::optional<double> seconds, std::string_view field, UnixMicros now,
                                             std::vector<std::string>& problems) {
  if (!seconds) return std::nullopt;
  // Beyond ±1e12 s no int64 microsecond count holds the value: compare before converting.
  const double lo = static_cast<double>(kEarliestTime) / 1e6, hi = static_cast<double>(now + kFutureSlack) / 1e6;
  if (std::isfinite(*seconds) && *seconds >= lo && *seconds <= hi) return micros_from_seconds(*seconds);
  std::string shown = format_value(*seconds);
  if (std::isfinite(*seconds) && std::fabs(*seconds) < 1e12)
    shown += " (" + format_iso8601(micros_from_seconds(*seconds)) + ")";
  problems.push_back(fmt::format("{} {} is not a valid time ({})", field, shown, time_range_text()));
  return std::nullopt;
}

std::optional<UnixMicros> check_time(std::optional<UnixMicros> t, std::string_view field, UnixMicros now,
                                     std::vector<std::string>& problems) {
  if (!t) return std::nullopt;
  if (plausible_time(*t, now)) return t;
  problems.push_back(
      fmt::format("{} {} is not a valid time ({})", field, format_iso8601(*t), time_range_text()));
  return std::nullopt;
}

}  // namespace tolteca::bounds
