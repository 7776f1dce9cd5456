#pragma once
// Small helpers shared by the codec tests.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

#include "base/encoding.h"

namespace astacus::codec::testing {

inline std::string unhex(std::string_view hex) {
  auto bytes = from_hex(hex);
  EXPECT_TRUE(bytes.has_value()) << hex;
  return bytes.value_or("");
}

/// `n` pseudo-random bytes (seeded by gtest's seed so failures reproduce).
inline std::string random_bytes(size_t n, uint32_t salt = 0) {
  std::mt19937 rng(::testing::UnitTest::GetInstance()->random_seed() + salt);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

/// `n` bytes of repetitive text that compresses well.
inline std::string compressible_bytes(size_t n) {
  static constexpr std::string_view kWords = "astacus backs up clustered databases; ";
  std::string out;
  out.reserve(n);
  for (size_t i = 0; out.size() < n; ++i) {
    out.append(kWords.substr(0, std::min(kWords.size(), n - out.size())));
    if (out.size() < n) out.push_back(static_cast<char>('a' + i % 26));
  }
  return out;
}

/// The sequence 00 01 02 .. of length `n` starting at `first`.
inline std::string counting_bytes(size_t n, int first) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>((first + static_cast<int>(i)) & 0xff);
  return out;
}

}  // namespace astacus::codec::testing
