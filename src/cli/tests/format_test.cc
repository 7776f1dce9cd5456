#include <gtest/gtest.h>

#include "cli/format.h"

namespace astacus::cli {
namespace {

constexpr int64_t kSec = 1000000;

TEST(FormatDuration, MatchesPythonTimedeltaShortStr) {
  EXPECT_EQ(format_duration(0), "");
  EXPECT_EQ(format_duration(999999), "");
  EXPECT_EQ(format_duration(kSec), "1s");
  EXPECT_EQ(format_duration(1317287), "1s");
  EXPECT_EQ(format_duration(86400 * kSec + kSec), "1d 1s");
  EXPECT_EQ(format_duration((3 * 3600 + 2 * 60 + 1) * kSec), "3h 2m 1s");
  EXPECT_EQ(format_duration(60 * kSec), "1m");
  EXPECT_EQ(format_duration(2 * 86400 * kSec + 3600 * kSec), "2d 1h");
  EXPECT_EQ(format_duration(-kSec), "-1d 23h 59m 59s");
}

TEST(FormatSize, DecimalUnitsLikePython) {
  EXPECT_EQ(format_size(0), "0 B");
  EXPECT_EQ(format_size(1), "1 B");
  EXPECT_EQ(format_size(999), "999 B");
  EXPECT_EQ(format_size(1000), "1.0 KB");
  EXPECT_EQ(format_size(1234), "1.2 KB");
  EXPECT_EQ(format_size(335137), "335.1 KB");
  EXPECT_EQ(format_size(3238940), "3.2 MB");
  EXPECT_EQ(format_size(2982968), "3.0 MB");
  EXPECT_EQ(format_size(1200000000), "1.2 GB");
  EXPECT_EQ(format_size(1200000000000), "1.2 TB");
  EXPECT_EQ(format_size(1234567000000000), "1234.6 TB");
}

TEST(FormatPercent, TwoDecimals) {
  EXPECT_EQ(format_percent(100.0 * 2828539 / 3238940), "87.33%");
  EXPECT_EQ(format_percent(-0.5312), "-0.53%");
}

TEST(PythonFloatRepr, ShortestRoundTrip) {
  EXPECT_EQ(python_float_repr(0.36352434800028277), "0.36352434800028277");
  EXPECT_EQ(python_float_repr(0.13322240700017574), "0.13322240700017574");
  EXPECT_EQ(python_float_repr(120.0), "120.0");
  EXPECT_EQ(python_float_repr(0.0), "0.0");
  EXPECT_EQ(python_float_repr(1.5), "1.5");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(1e-05), "1e-05");
  EXPECT_EQ(python_float_repr(1.25e-07), "1.25e-07");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(123456789012345.0), "123456789012345.0");
  EXPECT_EQ(python_float_repr(-2.5), "-2.5");
}

TEST(PythonStrRepr, QuotesAndEscapes) {
  EXPECT_EQ(python_str_repr(R"({"detail":"x"})"), R"('{"detail":"x"}')");
  EXPECT_EQ(python_str_repr("it's"), R"("it's")");
  EXPECT_EQ(python_str_repr("it's \"q\""), R"('it\'s "q"')");
  EXPECT_EQ(python_str_repr("Internal Server Error"), "'Internal Server Error'");
  EXPECT_EQ(python_str_repr("a\nb\\c\x01"), R"('a\nb\\c\x01')");
}

}  // namespace
}  // namespace astacus::cli
