#include "codec/blake2s.h"

#include <gtest/gtest.h>

#include <fstream>

#include "base/files.h"
#include "codec/sha256.h"

namespace astacus::codec {
namespace {

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

constexpr std::string_view kFoobig = "552d458198758daac752b948253b0d28bf0f21fcda40c626e54b5f9acf541a16";
constexpr std::string_view kFoobig2 = "d13d8d5177d72633707f17f1d7df9caa169aa87dbc9ee738cb05c5c373591375";

TEST(Blake2s, ReferenceValues) {
  EXPECT_EQ(blake2s_hex(repeat("foobig", 200)), kFoobig);
  EXPECT_EQ(blake2s_hex(repeat("foobig2", 200)), kFoobig2);
  // hashlib.blake2s(b"").hexdigest()
  EXPECT_EQ(blake2s_hex(""), "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9");
}

TEST(Blake2s, IncrementalEqualsOneShot) {
  std::string data = repeat("foobig", 200);
  Blake2sHasher hasher;
  for (size_t i = 0; i < data.size(); i += 7) hasher.update(std::string_view(data).substr(i, 7));
  EXPECT_EQ(hasher.finish_hex(), kFoobig);
}

class Blake2sFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("astacus-blake2s-" + random_hex(12));
    std::ofstream(path_, std::ios::binary) << repeat("foobig", 200) << "tail that grew later";
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(Blake2sFile, HashesOnlyTheRecordedSize) { EXPECT_EQ(blake2s_file_hex(path_, 1200).value(), kFoobig); }

TEST_F(Blake2sFile, ShorterFileHashesWhatIsThere) {
  auto whole = read_file(path_).value();
  EXPECT_EQ(blake2s_file_hex(path_, 1 << 30).value(), blake2s_hex(whole));
}

TEST_F(Blake2sFile, LargerThanOneChunk) {
  std::string big(3 * (1 << 20) + 5, 'x');
  std::ofstream(path_, std::ios::binary | std::ios::trunc) << big;
  EXPECT_EQ(blake2s_file_hex(path_, big.size()).value(), blake2s_hex(big));
  EXPECT_EQ(blake2s_file_hex(path_, (1 << 20) + 1).value(), blake2s_hex(big.substr(0, (1 << 20) + 1)));
}

TEST(Blake2sFileErrors, MissingFileIsNotFoundNamingPath) {
  auto r = blake2s_file_hex("/nonexistent/astacus/file", 10);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("/nonexistent/astacus/file"), std::string::npos);
}

TEST(Sha256, KnownValue) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace astacus::codec
