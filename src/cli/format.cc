#include "cli/format.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace astacus::cli {

std::string format_duration(int64_t micros) {
  constexpr int64_t kDay = 86400LL * 1000000LL;
  int64_t days = micros / kDay;
  int64_t rest = micros % kDay;
  if (rest < 0) {  // floor division, like timedelta normalisation
    rest += kDay;
    days -= 1;
  }
  int64_t secs = rest / 1000000;
  const int64_t parts[] = {days, secs / 3600, secs % 3600 / 60, secs % 60};
  const char* units[] = {"d", "h", "m", "s"};
  std::string out;
  for (int i = 0; i < 4; ++i) {
    if (parts[i] == 0) continue;
    if (!out.empty()) out += ' ';
    out += fmt::format("{}{}", parts[i], units[i]);
  }
  return out;
}

std::string format_size(int64_t bytes) {
  struct Unit {
    const char* name;
    double multiplier;
  };
  static constexpr Unit kUnits[] = {{"T", 1e12}, {"G", 1e9}, {"M", 1e6}, {"K", 1e3}};
  for (const auto& unit : kUnits) {
    if (static_cast<double>(bytes) >= unit.multiplier) {
      return fmt::format("{:.1f} {}B", static_cast<double>(bytes) / unit.multiplier, unit.name);
    }
  }
  return fmt::format("{} B", bytes);
}

std::string format_percent(double value) { return fmt::format("{:.2f}%", value); }

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // "-3.6352434800028277e-01"
  std::string sign;
  if (sci.front() == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  auto e_pos = sci.find('e');
  int exponent = std::atoi(sci.c_str() + e_pos + 1);
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits += c;
  }
  int n = static_cast<int>(digits.size());
  if (exponent >= -4 && exponent < 16) {
    int point = exponent + 1;  // digits before the decimal point
    if (point <= 0) return sign + "0." + std::string(-point, '0') + digits;
    if (point >= n) return sign + digits + std::string(point - n, '0') + ".0";
    return sign + digits.substr(0, point) + "." + digits.substr(point);
  }
  std::string mantissa = digits.substr(0, 1);
  if (n > 1) mantissa += "." + digits.substr(1);
  return fmt::format("{}{}e{}{:02}", sign, mantissa, exponent < 0 ? '-' : '+', std::abs(exponent));
}

std::string python_str_repr(std::string_view text) {
  bool has_single = text.find('\'') != std::string_view::npos;
  bool has_double = text.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == static_cast<unsigned char>(quote)) {
      out += '\\';
      out += quote;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += quote;
  return out;
}

}  // namespace astacus::cli
