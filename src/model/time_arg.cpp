#include "model/time_arg.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>

#include "model/error.h"

namespace tolteca {

namespace {

constexpr UnixMicros kDay = 86'400'000'000LL;

UnixMicros floor_day(UnixMicros t) {
  UnixMicros d = t / kDay;
  if (t % kDay < 0) --d;
  return d * kDay;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "-12h", "30m", "-1.5d": an offset into the past.
std::optional<UnixMicros> parse_offset(std::string_view s, UnixMicros now) {
  if (!s.empty() && s.front() == '-') s.remove_prefix(1);
  if (s.size() < 2) return std::nullopt;
  const char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(s.back())));
  double per = 0;
  switch (unit) {
    case 's': per = 1e6; break;
    case 'm': per = 60e6; break;
    case 'h': per = 3600e6; break;
    case 'd': per = 86400e6; break;
    case 'w': per = 7 * 86400e6; break;
    default: return std::nullopt;
  }
  s.remove_suffix(1);
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s.front()))) return std::nullopt;
  double n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(n) || n > 1e6) return std::nullopt;
  return now - static_cast<UnixMicros>(std::llround(n * per));
}

}  // namespace

const char* time_arg_forms() {
  return "yesterday, today, now, -30m, -12h, -1d, -2w, 2024-11-13 or 2024-11-13T17:24:46Z (UTC)";
}

UnixMicros now_micros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::optional<UnixMicros> parse_time_arg(std::string_view text, UnixMicros now) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  const std::string l = lower(text);
  if (l == "now") return now;
  if (l == "today") return floor_day(now);
  if (l == "yesterday") return floor_day(now) - kDay;
  if (auto t = parse_iso8601(text)) return t;
  // Only an offset when it is not a (bad) date: a date has a '-' after digits.
  if (l.size() <= 12 && l.find(':') == std::string::npos && l.find('-', 1) == std::string::npos)
    return parse_offset(l, now);
  return std::nullopt;
}

UnixMicros parse_time_option_or_throw(std::string_view text, std::string_view option) {
  if (auto t = parse_time_arg(text, now_micros())) return *t;
  throw UserError(fmt::format("{} '{}': not a time; expected {}", option, text, time_arg_forms()));
}

}  // namespace tolteca
