#pragma once
// Wall-clock timestamps in the formats Python Astacus uses.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus {

using SystemTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

SystemTime now_utc();

/// RFC 3339 with 'Z', microseconds only when non-zero: "2020-01-01T21:43:00Z",
/// "2026-11-24T07:30:26.727313Z" (pydantic/msgspec datetime encoding).
std::string format_rfc3339(SystemTime t);

/// Python `isoformat(timespec="seconds")` of a UTC time: "2026-11-24T07:30:26+00:00".
std::string format_iso_seconds(SystemTime t);

/// Parses the forms above and also "+00:00" offsets with or without fractions.
Result<SystemTime> parse_rfc3339(std::string_view text);

/// Seconds as a float, for ".. which took 1.23 seconds".
double seconds_between(SystemTime a, SystemTime b);

}  // namespace astacus
