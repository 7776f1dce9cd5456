#include "manifest/progress.h"

#include <cmath>

#include <fmt/format.h>

namespace astacus::manifest {

Progress Progress::merge(const std::vector<Progress>& parts) {
  Progress merged;
  merged.final = true;
  for (const Progress& part : parts) {
    merged.handled += part.handled;
    merged.failed += part.failed;
    merged.total += part.total;
    merged.final = merged.final && part.final;
  }
  return merged;
}

std::string to_string(const Progress& progress) {
  return fmt::format("{}/{} handled, {} failures{}", progress.handled, progress.total,
                     progress.failed, progress.final ? ", finished" : "");
}

namespace {

// Python's `a // b` for a positive divisor.
int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

}  // namespace

bool increase_worth_reporting(int64_t old_value, int64_t new_value, std::optional<int64_t> total) {
  if (total) {
    if (new_value == *total || *total <= 100) return true;
    return floor_div(100 * old_value, *total) != floor_div(100 * new_value, *total);
  }
  if (old_value <= 10 || new_value <= 10) return true;
  static const double kLog11 = std::log(1.1);
  auto exponent = [](int64_t v) {
    return static_cast<int64_t>(std::log(static_cast<double>(v)) / kLog11);
  };
  return exponent(old_value) != exponent(new_value);
}

}  // namespace astacus::manifest
