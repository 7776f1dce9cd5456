#pragma once
// Text formatting that must match Python Astacus' CLI output character for character.

#include <cstdint>
#include <string>
#include <string_view>

namespace astacus::cli {

/// `utils.timedelta_as_short_str`: "1d 1s", "3h 2m 1s", "" below one second. Microseconds are
/// dropped; negative spans normalise like Python's timedelta ("-1d 23h 59m 59s").
std::string format_duration(int64_t micros);

/// `utils.size_as_short_str` (decimal units): "1 B", "999 B", "1.2 KB", "3.2 MB", "1234.6 TB".
std::string format_size(int64_t bytes);

/// Python `"%.2f%%" % value`: "87.33%", "-0.53%".
std::string format_percent(double value);

/// Python `repr(float)`: shortest round-trip digits, "0.36352434800028277", "120.0", "1e-05".
std::string python_float_repr(double value);

/// Python `repr(str)`: '...' (or "..." when the text holds ' but no "), with \n, \t, \\ and
/// control bytes escaped; bytes >= 0x80 are copied unchanged (UTF-8 passes through).
std::string python_str_repr(std::string_view text);

}  // namespace astacus::cli
