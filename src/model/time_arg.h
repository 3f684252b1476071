#pragma once
// Times typed on the command line (--since, --until, --arrived-since, …): one
// parser for every command.
//
// Accepted (all UTC):
//   now                      the current time
//   today                    00:00 of the current UTC day
//   yesterday                00:00 of the previous UTC day
//   -30m, -12h, -1d, -2w     now minus N minutes / hours / days / weeks (also -90s, -1.5h; no sign = minus too)
//   2024-11-13               00:00 of that day
//   2024-11-13T17:24[:46[.123]][Z], "2024-11-13 17:24:46"   a full ISO 8601 time (Z optional, UTC)
#include <optional>
#include <string>
#include <string_view>

#include "model/time.h"

namespace tolteca {

// nullopt when the text is none of the above.
std::optional<UnixMicros> parse_time_arg(std::string_view text, UnixMicros now);
// The current time (system clock, microseconds).
UnixMicros now_micros();
// Parses with now_micros(); throws UserError "OPTION 'TEXT': expected …" when the text is not a time.
UnixMicros parse_time_option_or_throw(std::string_view text, std::string_view option);
// The accepted forms, for --help texts and error messages.
const char* time_arg_forms();

}  // namespace tolteca
