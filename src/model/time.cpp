#include "model/time.h"

#include <charconv>
#include <fmt/format.h>

namespace tolteca {

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  // Howard Hinnant's algorithm.
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

std::optional<UnixMicros> make_utc(int y, int mo, int d, int h, int mi, int s) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1) return std::nullopt;
  int dim = kDays[mo - 1] + (mo == 2 && is_leap(y) ? 1 : 0);
  if (d > dim || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return std::nullopt;
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi) * 60 * 1'000'000LL + static_cast<std::int64_t>(s) * 1'000'000LL;
}

CivilTime civil_from_micros(UnixMicros t) {
  std::int64_t secs = t / 1'000'000;
  if (t % 1'000'000 < 0) --secs;
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) { rem += 86400; --days; }
  // Howard Hinnant's civil_from_days.
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  return {static_cast<int>(y), static_cast<int>(m), static_cast<int>(d), static_cast<int>(rem / 3600),
          static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60)};
}

std::string format_iso8601(UnixMicros t) {
  // One precision everywhere: whole seconds (the fraction is dropped, rounding towards the past).
  std::int64_t frac = t % 1'000'000;
  if (frac < 0) frac += 1'000'000;
  const CivilTime c = civil_from_micros(t - frac);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year, c.month, c.day, c.hour, c.minute, c.second);
}

std::optional<UnixMicros> parse_iso8601(std::string_view text) {
  int v[6] = {0, 0, 0, 0, 0, 0};
  const char* p = text.data();
  const char* end = p + text.size();
  static constexpr char kSep[] = {'-', '-', 'T', ':', ':'};
  static constexpr int kWidth[] = {4, 2, 2, 2, 2, 2};
  int fields = 0;
  for (int i = 0; i < 6; ++i) {
    if (i > 0) {
      if (p == end) break;
      char c = *p;
      bool ok = (c == kSep[i - 1]) || (i == 3 && c == ' ');
      if (!ok) return std::nullopt;
      ++p;
    }
    auto [ptr, ec] = std::from_chars(p, end, v[i]);
    if (ec != std::errc() || ptr - p != kWidth[i]) return std::nullopt;
    p = ptr;
    fields = i + 1;
  }
  if (p != end && *p == 'Z') ++p;
  if (p != end || (fields != 3 && fields != 5 && fields != 6)) return std::nullopt;
  return make_utc(v[0], v[1], v[2], v[3], v[4], v[5]);
}

}  // namespace tolteca
