#include "base/time.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace astacus {

SystemTime now_utc() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

namespace {

std::tm to_tm(SystemTime t, int64_t* micros) {
  auto us = t.time_since_epoch().count();
  int64_t secs = us / 1000000;
  int64_t frac = us % 1000000;
  if (frac < 0) {
    frac += 1000000;
    secs -= 1;
  }
  *micros = frac;
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return tm;
}

}  // namespace

std::string format_rfc3339(SystemTime t) {
  int64_t micros = 0;
  std::tm tm = to_tm(t, &micros);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (micros) out += fmt::format(".{:06}", micros);
  return out + "Z";
}

std::string format_iso_seconds(SystemTime t) {
  int64_t micros = 0;
  std::tm tm = to_tm(t, &micros);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

Result<SystemTime> parse_rfc3339(std::string_view text) {
  int y, mo, d, h, mi, s;
  int consumed = 0;
  std::string str(text);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) !=
          6 ||
      consumed != 19) {
    return errorf(ErrorCode::kInvalidArgument, "invalid timestamp '{}'", text);
  }
  std::string_view rest = text.substr(19);
  int64_t micros = 0;
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    int digits = 0;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      if (digits < 6) {
        micros = micros * 10 + (rest.front() - '0');
        ++digits;
      }
      rest.remove_prefix(1);
    }
    while (digits++ < 6) micros *= 10;
  }
  int64_t offset_secs = 0;
  if (rest == "Z" || rest.empty()) {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
             std::isdigit(static_cast<unsigned char>(rest[1])) &&
             std::isdigit(static_cast<unsigned char>(rest[2])) &&
             std::isdigit(static_cast<unsigned char>(rest[4])) &&
             std::isdigit(static_cast<unsigned char>(rest[5]))) {
    int oh = (rest[1] - '0') * 10 + (rest[2] - '0');
    int om = (rest[4] - '0') * 10 + (rest[5] - '0');
    offset_secs = (oh * 3600 + om * 60) * (rest[0] == '-' ? -1 : 1);
  } else {
    return errorf(ErrorCode::kInvalidArgument, "invalid timestamp offset in '{}'", text);
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset_secs;
  return SystemTime(std::chrono::microseconds(secs * 1000000 + micros));
}

double seconds_between(SystemTime a, SystemTime b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace astacus
