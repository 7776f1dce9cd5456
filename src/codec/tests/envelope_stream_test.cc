// The streaming envelopes (envelope_stream.h) against the whole-buffer ones: same bytes out, same
// objects accepted and rejected, for every input size and chunking; plus what only streaming has
// (bounded sink writes, the held-back tag, sticky errors, where the RSA unwrap happens).

#include "codec/envelope_stream.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "codec/data_key_envelope.h"
#include "codec/rsa_envelope.h"
#include "codec/sha256.h"
#include "codec/tests/spec_vectors.h"
#include "codec/tests/test_util.h"

namespace astacus::codec {
namespace {

using testing::counting_bytes;
using testing::random_bytes;
using testing::unhex;

constexpr size_t kMiB = size_t{1} << 20;
const size_t kSizes[] = {0, 1, 31, 32, 33, 4096, kMiB + 3, 3 * kMiB + 7};

// Pinned pghoa1 secrets of the §4.2 vectors.
const std::string kAesKey = counting_bytes(16, 0x00);
const std::string kCtrIv = counting_bytes(16, 0x10);
const std::string kHmacKey = counting_bytes(32, 0x20);

constexpr size_t kPghoa1Prefix = 8 + 128;       // RSA-1024 block
constexpr size_t kAstdk1Prefix = 8 + 256 + 16;  // RSA-2048 wrapped key + nonce

const RsaKeyPem& rsa1024() {
  static const RsaKeyPem key = generate_rsa_key(1024).value();
  return key;
}
const RsaKeyPem& other_rsa1024() {
  static const RsaKeyPem key = generate_rsa_key(1024).value();
  return key;
}
const RsaKeyPem& rsa2048() {
  static const RsaKeyPem key = generate_rsa_key(2048).value();
  return key;
}
const RsaKeyPem& other_rsa2048() {
  static const RsaKeyPem key = generate_rsa_key(2048).value();
  return key;
}

// ---- helpers ---------------------------------------------------------------------------------

class RecordingSink final : public ByteSink {
 public:
  Status write(std::string_view bytes) override {
    out.append(bytes);
    max_piece = std::max(max_piece, bytes.size());
    return ok();
  }
  std::string out;
  size_t max_piece = 0;
};

// Fails every write after the first `good_writes`.
class FailingSink final : public ByteSink {
 public:
  explicit FailingSink(int good_writes) : good_writes_(good_writes) {}
  Status write(std::string_view /*bytes*/) override {
    if (good_writes_-- > 0) return ok();
    return make_error(ErrorCode::kIoError, "disk full");
  }

 private:
  int good_writes_;
};

enum class Chunking { kWhole, kOneByte, kSevenBytes, kRandom };

std::string chunking_name(Chunking c) {
  switch (c) {
    case Chunking::kWhole:
      return "whole";
    case Chunking::kOneByte:
      return "1-byte";
    case Chunking::kSevenBytes:
      return "7-byte";
    case Chunking::kRandom:
      return "random 1..200000";
  }
  return "?";
}

// 1-byte chunks only for small inputs (a 3 MiB object would take 3M calls).
std::vector<Chunking> chunkings_for(size_t size) {
  std::vector<Chunking> out = {Chunking::kWhole, Chunking::kSevenBytes, Chunking::kRandom};
  if (size <= 4096 + 512) out.push_back(Chunking::kOneByte);
  return out;
}

// The chunk sizes `input` is cut into (one empty chunk for an empty input fed whole).
std::vector<size_t> chunk_sizes(Chunking chunking, size_t total) {
  if (chunking == Chunking::kWhole) return {total};
  std::mt19937 rng(20240611);  // fixed: the same cut points on every run
  std::uniform_int_distribution<size_t> random_size(1, 200000);
  std::vector<size_t> sizes;
  for (size_t pos = 0; pos < total;) {
    size_t n = chunking == Chunking::kOneByte     ? 1
               : chunking == Chunking::kSevenBytes ? 7
                                                   : random_size(rng);
    n = std::min(n, total - pos);
    sizes.push_back(n);
    pos += n;
  }
  return sizes;
}

// Feeds `input` in the given chunks, then finishes: the output, or the first error. Every sink
// write must be at most 1 MiB.
Result<std::string> run(StreamTransform& transform, std::string_view input, Chunking chunking) {
  RecordingSink sink;
  size_t pos = 0;
  for (size_t n : chunk_sizes(chunking, input.size())) {
    ASTACUS_CHECK(transform.update(input.substr(pos, n), sink));
    pos += n;
  }
  ASTACUS_CHECK(transform.finish(sink));
  EXPECT_LE(sink.max_piece, kMiB);
  return sink.out;
}

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char out[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

// Independent one-shot AES-CTR (EVP_aes_128_ctr / EVP_aes_256_ctr by key size).
std::string aes_ctr(std::string_view key, std::string_view iv, std::string_view in) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  EVP_EncryptInit_ex(ctx.get(), key.size() == 16 ? EVP_aes_128_ctr() : EVP_aes_256_ctr(), nullptr,
                     reinterpret_cast<const unsigned char*>(key.data()),
                     reinterpret_cast<const unsigned char*>(iv.data()));
  std::string out(in.size(), '\0');
  int n = 0;
  EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n,
                    reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  return out;
}

// Equality without printing megabytes on failure.
::testing::AssertionResult same_bytes(const Result<std::string>& got, std::string_view want) {
  if (!got) return ::testing::AssertionFailure() << got.error().to_string();
  if (*got == want) return ::testing::AssertionSuccess();
  auto diff = std::mismatch(got->begin(), got->end(), want.begin(), want.end());
  return ::testing::AssertionFailure() << got->size() << " bytes, want " << want.size()
                                       << "; first difference at " << (diff.first - got->begin());
}

std::string flip_bit(std::string s, size_t at) {
  s[at] = static_cast<char>(s[at] ^ 0x01);
  return s;
}

template <typename T>
void expect_corruption(const Result<T>& r, std::string_view needle = "") {
  ASSERT_FALSE(r.has_value()) << "expected Corruption containing: " << needle;
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption) << r.error().to_string();
  EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().to_string();
}

// Index of the update() call that fails when `input` is fed one byte at a time; -1 if none does.
long first_failing_byte(StreamTransform& transform, std::string_view input) {
  RecordingSink sink;
  for (size_t i = 0; i < input.size(); ++i) {
    if (!transform.update(input.substr(i, 1), sink)) return static_cast<long>(i);
  }
  return -1;
}

std::unique_ptr<StreamTransform> pghoa1_encryptor() {
  return make_rsa_envelope_encryptor(rsa1024().public_pem).value();
}
std::unique_ptr<StreamTransform> pghoa1_fixed_encryptor(std::string_view iv = kCtrIv) {
  return make_rsa_envelope_encryptor_with_keys(rsa1024().public_pem, kAesKey, iv, kHmacKey).value();
}
std::unique_ptr<StreamTransform> pghoa1_decryptor(const RsaKeyPem& key = rsa1024()) {
  return make_rsa_envelope_decryptor(key.private_pem).value();
}
std::unique_ptr<StreamTransform> astdk1_encryptor(const DataKey& dk) { return make_data_key_encryptor(dk).value(); }
std::unique_ptr<StreamTransform> astdk1_decryptor(DataKeyCache& cache, const RsaKeyPem& key = rsa2048()) {
  return make_data_key_decryptor(key.private_pem, cache).value();
}

const DataKey& data_key() {
  static const DataKey dk = new_data_key(rsa2048().public_pem).value();
  return dk;
}

// ---- pghoa1 ----------------------------------------------------------------------------------

TEST(Pghoa1Stream, StreamEncryptedObjectsDecryptWholeAndStreamed) {
  for (size_t n : kSizes) {
    std::string plain = random_bytes(n, static_cast<uint32_t>(n));
    for (Chunking c : chunkings_for(n)) {
      SCOPED_TRACE(std::to_string(n) + " bytes, " + chunking_name(c));
      std::string stored = run(*pghoa1_encryptor(), plain, c).value();
      ASSERT_EQ(stored.size(), n == 0 ? 0 : kPghoa1Prefix + n + 32);
      if (n > 0) {
        EXPECT_EQ(stored.substr(0, 8), unhex("7067686f61310080"));  // "pghoa1", L = 128
      }
      EXPECT_TRUE(same_bytes(rsa_envelope_decrypt(rsa1024().private_pem, stored), plain));
      EXPECT_TRUE(same_bytes(run(*pghoa1_decryptor(), stored, Chunking::kRandom), plain));
    }
  }
}

TEST(Pghoa1Stream, WholeEncryptedObjectsDecryptStreamed) {
  for (size_t n : kSizes) {
    std::string plain = random_bytes(n, static_cast<uint32_t>(n) + 1);
    std::string stored = rsa_envelope_encrypt(rsa1024().public_pem, plain).value();
    for (Chunking c : chunkings_for(stored.size())) {
      SCOPED_TRACE(std::to_string(n) + " bytes, " + chunking_name(c));
      EXPECT_TRUE(same_bytes(run(*pghoa1_decryptor(), stored, c), plain));
    }
  }
}

// OAEP randomises the RSA block; everything else is byte-identical to envelope_encrypt_with_keys().
TEST(Pghoa1Stream, FixedSecretsGiveTheWholeBufferBytes) {
  for (size_t n : kSizes) {
    std::string plain = random_bytes(n, static_cast<uint32_t>(n) + 2);
    std::string whole = envelope_encrypt_with_keys(rsa1024().public_pem, kAesKey, kCtrIv, kHmacKey, plain).value();
    for (Chunking c : chunkings_for(n)) {
      SCOPED_TRACE(std::to_string(n) + " bytes, " + chunking_name(c));
      std::string streamed = run(*pghoa1_fixed_encryptor(), plain, c).value();
      ASSERT_EQ(streamed.size(), whole.size());
      if (n == 0) continue;
      EXPECT_EQ(streamed.substr(0, 8), whole.substr(0, 8));
      // ciphertext ‖ tag
      EXPECT_TRUE(same_bytes(streamed.substr(kPghoa1Prefix), std::string_view(whole).substr(kPghoa1Prefix)));
      EXPECT_EQ(streamed.substr(streamed.size() - 32), hmac(kHmacKey, streamed.substr(kPghoa1Prefix, n)));
    }
  }
}

// §4.2: the -enc vectors' ciphertext and tag, streamed byte by byte.
TEST(Pghoa1Stream, SpecVectorsCiphertextAndTag) {
  int checked = 0;
  for (const auto& v : testing::kSpecVectors) {
    if (!v.encrypted) continue;
    SCOPED_TRACE(std::string(v.name));
    std::string ciphertext = unhex(v.ciphertext_hex);
    std::string compressed = aes_ctr(kAesKey, kCtrIv, ciphertext);  // what rohmu encrypted
    for (Chunking c : {Chunking::kWhole, Chunking::kOneByte, Chunking::kSevenBytes}) {
      std::string ours = run(*pghoa1_fixed_encryptor(), compressed, c).value();
      EXPECT_EQ(to_hex(ours.substr(kPghoa1Prefix)), to_hex(ciphertext + unhex(v.tag_hex))) << chunking_name(c);
      EXPECT_EQ(run(*pghoa1_decryptor(), ours, c).value(), compressed) << chunking_name(c);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

// The counter-carry vectors of rsa_envelope_test: the 128-bit counter carries across the 64-bit
// boundary and wraps at 2^128, also when a chunk ends in the middle of a block.
TEST(Pghoa1Stream, CounterCarryVectors) {
  std::string plain(1000003, '\0');
  for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<char>(i & 0xff);
  struct Case {
    std::string_view iv_hex, ciphertext_sha256, tag_hex;
  };
  const Case cases[] = {
      {"101112131415161718191a1b1c1d1e1f", "5d9798234554da6922c0cef3a36218710777aa23f2df85c21644db0db1ab25be",
       "33a674158819e822e4e935b22e5801eeca51f6a62863f34d5194625ae35b787d"},
      {"0000000000000000ffffffffffffffff", "f737939ee6f1064a2bf982adcf7596982055f939bb191a042d01e168b882b28b",
       "bf9ecef23c9cd578362ce78c26dd72fc1e15366983d4eca48e991b1232640851"},
      {"ffffffffffffffffffffffffffffffff", "3f9552ff43c3dacc67c23755aa08dff832a9b29697964590fab5aabbbc7ab644",
       "34727ae400efd7a679672d5e2ef3df0c4694f5dd84dd1f5c6fae6678900af8b1"},
  };
  for (const auto& c : cases) {
    for (Chunking chunking : {Chunking::kWhole, Chunking::kSevenBytes, Chunking::kRandom}) {
      SCOPED_TRACE(std::string(c.iv_hex) + ", " + chunking_name(chunking));
      std::string stored = run(*pghoa1_fixed_encryptor(unhex(c.iv_hex)), plain, chunking).value();
      std::string_view body = std::string_view(stored).substr(kPghoa1Prefix);
      EXPECT_EQ(sha256_hex(body.substr(0, plain.size())), c.ciphertext_sha256);
      EXPECT_EQ(to_hex(body.substr(plain.size())), c.tag_hex);
      EXPECT_TRUE(same_bytes(run(*pghoa1_decryptor(), stored, chunking), plain));
    }
  }
}

TEST(Pghoa1Stream, EmptyPlaintextIsZeroBytesBothWays) {
  auto enc = pghoa1_encryptor();
  RecordingSink sink;
  ASSERT_TRUE(enc->update("", sink));
  ASSERT_TRUE(enc->update("", sink));
  ASSERT_TRUE(enc->finish(sink));
  EXPECT_EQ(sink.out, "");
  EXPECT_EQ(run(*pghoa1_encryptor(), "", Chunking::kWhole).value(), "");
  EXPECT_EQ(run(*pghoa1_decryptor(), "", Chunking::kWhole).value(), "");
}

TEST(Pghoa1Stream, HeaderPlusTagWithoutCiphertextDecryptsToEmpty) {
  std::string one = envelope_encrypt_with_keys(rsa1024().public_pem, kAesKey, kCtrIv, kHmacKey, "x").value();
  std::string stored = one.substr(0, kPghoa1Prefix) + hmac(kHmacKey, "");
  ASSERT_EQ(rsa_envelope_decrypt(rsa1024().private_pem, stored).value(), "");
  for (Chunking c : {Chunking::kWhole, Chunking::kOneByte, Chunking::kSevenBytes}) {
    EXPECT_EQ(run(*pghoa1_decryptor(), stored, c).value(), "") << chunking_name(c);
  }
}

TEST(Pghoa1Stream, TamperedHeaderCiphertextOrTagIsCorruption) {
  const std::string stored = rsa_envelope_encrypt(rsa1024().public_pem, random_bytes(5000, 9)).value();
  struct Flip {
    size_t at;
    std::string_view message;
  };
  const Flip flips[] = {
      {0, "Invalid magic bytes"},
      {5, "Invalid magic bytes"},
      {6, ""},   // key block length: the unwrap fails
      {7, ""},   // key block length
      {50, ""},  // inside the RSA block
      {kPghoa1Prefix, "Integrity check failed"},               // first ciphertext byte
      {stored.size() - 33, "Integrity check failed"},          // last ciphertext byte
      {stored.size() - 32, "Integrity check failed"},          // first tag byte
      {stored.size() - 1, "Integrity check failed"},           // last tag byte
  };
  for (const Flip& f : flips) {
    std::string bad = flip_bit(stored, f.at);
    for (Chunking c : {Chunking::kWhole, Chunking::kOneByte, Chunking::kSevenBytes}) {
      SCOPED_TRACE("flip at " + std::to_string(f.at) + ", " + chunking_name(c));
      expect_corruption(run(*pghoa1_decryptor(), bad, c), f.message);
    }
    expect_corruption(rsa_envelope_decrypt(rsa1024().private_pem, bad), f.message);
  }
}

// Every cut, inside the header, the ciphertext and the tag: the same Corruption message as the
// whole-buffer reader.
TEST(Pghoa1Stream, TruncationAnywhereGivesTheWholeBufferError) {
  const std::string stored = rsa_envelope_encrypt(rsa1024().public_pem, random_bytes(100, 4)).value();
  for (size_t cut = 1; cut < stored.size(); ++cut) {
    std::string_view part = std::string_view(stored).substr(0, cut);
    auto whole = rsa_envelope_decrypt(rsa1024().private_pem, part);
    ASSERT_FALSE(whole) << cut;
    for (Chunking c : {Chunking::kWhole, Chunking::kOneByte, Chunking::kSevenBytes}) {
      SCOPED_TRACE("cut at " + std::to_string(cut) + ", " + chunking_name(c));
      auto streamed = run(*pghoa1_decryptor(), part, c);
      expect_corruption(streamed);
      if (!streamed) {
        EXPECT_EQ(streamed.error().message, whole.error().message);
      }
    }
  }
}

// The unwrap happens in the update() that completes the header, even when it arrives byte by byte.
TEST(Pghoa1Stream, WrongPrivateKeyFailsWhenTheHeaderCompletes) {
  const std::string stored = rsa_envelope_encrypt(rsa1024().public_pem, "hello").value();
  auto dec = pghoa1_decryptor(other_rsa1024());
  EXPECT_EQ(first_failing_byte(*dec, stored), static_cast<long>(kPghoa1Prefix) - 1);
  RecordingSink sink;
  expect_corruption(dec->update("more", sink), "cannot unwrap the object key");  // the error sticks
  expect_corruption(dec->finish(sink), "cannot unwrap the object key");
  EXPECT_EQ(sink.out, "");
  expect_corruption(run(*pghoa1_decryptor(other_rsa1024()), stored, Chunking::kWhole), "cannot unwrap");
}

TEST(Pghoa1Stream, UnusableKeysAndSecretsAreInvalidArgument) {
  EXPECT_EQ(make_rsa_envelope_encryptor("not a pem").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(make_rsa_envelope_decryptor("not a pem").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(make_rsa_envelope_encryptor(rsa1024().private_pem).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(make_rsa_envelope_encryptor_with_keys(rsa1024().public_pem, "short", kCtrIv, kHmacKey).error().code,
            ErrorCode::kInvalidArgument);
}

TEST(Pghoa1Stream, FreshSecretsForEveryEncryptor) {
  std::string a = run(*pghoa1_encryptor(), "same", Chunking::kWhole).value();
  std::string b = run(*pghoa1_encryptor(), "same", Chunking::kWhole).value();
  EXPECT_NE(a.substr(kPghoa1Prefix), b.substr(kPghoa1Prefix));
}

// ---- astdk1 ----------------------------------------------------------------------------------

TEST(DataKeyStream, StreamEncryptedObjectsDecryptWholeAndStreamed) {
  const DataKey& dk = data_key();
  DataKeyCache cache;
  for (size_t n : kSizes) {
    std::string plain = random_bytes(n, static_cast<uint32_t>(n) + 3);
    for (Chunking c : chunkings_for(n)) {
      SCOPED_TRACE(std::to_string(n) + " bytes, " + chunking_name(c));
      std::string stored = run(*astdk1_encryptor(dk), plain, c).value();
      ASSERT_EQ(stored.size(), kAstdk1Prefix + n + 32);
      EXPECT_EQ(stored.substr(0, 8), std::string("astdk1\x01\x00", 8));  // W = 256
      EXPECT_EQ(stored.substr(8, 256), dk.wrapped);
      EXPECT_TRUE(same_bytes(data_key_decrypt(rsa2048().private_pem, stored, cache), plain));
      EXPECT_TRUE(same_bytes(run(*astdk1_decryptor(cache), stored, Chunking::kRandom), plain));
    }
  }
  EXPECT_EQ(cache.unwrap_count(), 1u);
}

TEST(DataKeyStream, WholeEncryptedObjectsDecryptStreamed) {
  DataKeyCache cache;
  for (size_t n : kSizes) {
    std::string plain = random_bytes(n, static_cast<uint32_t>(n) + 5);
    std::string stored = data_key_encrypt(data_key(), plain).value();
    for (Chunking c : chunkings_for(stored.size())) {
      SCOPED_TRACE(std::to_string(n) + " bytes, " + chunking_name(c));
      EXPECT_TRUE(same_bytes(run(*astdk1_decryptor(cache), stored, c), plain));
    }
  }
}

// The README layout, checked with independent OpenSSL calls.
TEST(DataKeyStream, LayoutMatchesTheDocumentedFormat) {
  const DataKey& dk = data_key();
  std::string plain = random_bytes(1000, 7);
  std::string stored = run(*astdk1_encryptor(dk), plain, Chunking::kSevenBytes).value();
  std::string enc = hmac(dk.key, "astacus-dk1 enc");
  std::string mac = hmac(dk.key, "astacus-dk1 mac");
  std::string nonce = stored.substr(8 + 256, 16);
  EXPECT_EQ(aes_ctr(enc, nonce, stored.substr(kAstdk1Prefix, plain.size())), plain);
  EXPECT_EQ(stored.substr(stored.size() - 32), hmac(mac, stored.substr(0, stored.size() - 32)));

  std::set<std::string> nonces;
  for (int i = 0; i < 20; ++i) nonces.insert(run(*astdk1_encryptor(dk), "x", Chunking::kWhole).value().substr(264, 16));
  EXPECT_EQ(nonces.size(), 20u);
}

TEST(DataKeyStream, EmptyPlaintextIsHeaderNonceAndTag) {
  DataKeyCache cache;
  auto enc = astdk1_encryptor(data_key());
  RecordingSink sink;
  ASSERT_TRUE(enc->update("", sink));
  ASSERT_TRUE(enc->finish(sink));
  ASSERT_EQ(sink.out.size(), kAstdk1Prefix + 32);
  EXPECT_EQ(data_key_decrypt(rsa2048().private_pem, sink.out, cache).value(), "");
  EXPECT_EQ(run(*astdk1_decryptor(cache), sink.out, Chunking::kOneByte).value(), "");
  expect_corruption(run(*astdk1_decryptor(cache), "", Chunking::kWhole), "truncated header");
}

TEST(DataKeyStream, TamperedHeaderNonceCiphertextOrTagIsCorruption) {
  DataKeyCache cache;
  const std::string stored = data_key_encrypt(data_key(), random_bytes(1000, 3)).value();
  struct Flip {
    size_t at;
    std::string_view message;
  };
  const Flip flips[] = {
      {0, "bad magic"},
      {6, "wrapped key length is 0"},     // W = 0x0100 → 0x0000
      {7, "cannot unwrap the data key"},  // W = 0x0101: a 257-byte "wrapped key"
      {8 + 100, "cannot unwrap the data key"},
      {8 + 256, "authentication tag mismatch"},  // nonce
      {kAstdk1Prefix + 500, "authentication tag mismatch"},
      {stored.size() - 32, "authentication tag mismatch"},
      {stored.size() - 1, "authentication tag mismatch"},
  };
  for (const Flip& f : flips) {
    std::string bad = flip_bit(stored, f.at);
    for (Chunking c : {Chunking::kWhole, Chunking::kOneByte, Chunking::kSevenBytes}) {
      SCOPED_TRACE("flip at " + std::to_string(f.at) + ", " + chunking_name(c));
      expect_corruption(run(*astdk1_decryptor(cache), bad, c), f.message);
    }
    expect_corruption(data_key_decrypt(rsa2048().private_pem, bad, cache), f.message);
  }
  EXPECT_EQ(cache.size(), 1u);  // failed unwraps are not cached
}

TEST(DataKeyStream, TruncationAnywhereGivesTheWholeBufferError) {
  DataKeyCache cache;
  const std::string stored = data_key_encrypt(data_key(), random_bytes(100, 6)).value();
  for (size_t cut = 0; cut < stored.size(); ++cut) {
    std::string_view part = std::string_view(stored).substr(0, cut);
    auto whole = data_key_decrypt(rsa2048().private_pem, part, cache);
    ASSERT_FALSE(whole) << cut;
    for (Chunking c : {Chunking::kWhole, Chunking::kOneByte, Chunking::kSevenBytes}) {
      SCOPED_TRACE("cut at " + std::to_string(cut) + ", " + chunking_name(c));
      auto streamed = run(*astdk1_decryptor(cache), part, c);
      expect_corruption(streamed);
      if (!streamed) {
        EXPECT_EQ(streamed.error().message, whole.error().message);
      }
    }
  }
  EXPECT_EQ(cache.unwrap_count(), 1u);
}

TEST(DataKeyStream, ManyObjectsOfOneDataKeyCostOneUnwrap) {
  const DataKey& dk = data_key();
  std::vector<std::string> plains;
  std::vector<std::string> objects;
  for (int i = 0; i < 10; ++i) {
    plains.push_back(random_bytes(3000 + static_cast<size_t>(i), 100 + static_cast<uint32_t>(i)));
    objects.push_back(i % 2 ? data_key_encrypt(dk, plains.back()).value()
                            : run(*astdk1_encryptor(dk), plains.back(), Chunking::kSevenBytes).value());
  }
  DataKeyCache cache;
  for (size_t i = 0; i < objects.size(); ++i) {
    Chunking c = i < 3 ? Chunking::kOneByte : Chunking::kRandom;  // headers split byte by byte, too
    EXPECT_EQ(run(*astdk1_decryptor(cache), objects[i], c).value(), plains[i]) << i;
  }
  EXPECT_EQ(cache.unwrap_count(), 1u);
  DataKey other = new_data_key(rsa2048().public_pem).value();
  EXPECT_EQ(run(*astdk1_decryptor(cache), data_key_encrypt(other, "x").value(), Chunking::kWhole).value(), "x");
  EXPECT_EQ(cache.unwrap_count(), 2u);
}

TEST(DataKeyStream, WrongPrivateKeyFailsWhenTheHeaderCompletes) {
  DataKeyCache cache;
  const std::string stored = data_key_encrypt(data_key(), "secret").value();
  auto dec = astdk1_decryptor(cache, other_rsa2048());
  EXPECT_EQ(first_failing_byte(*dec, stored), static_cast<long>(kAstdk1Prefix) - 1);
  RecordingSink sink;
  expect_corruption(dec->finish(sink), "cannot unwrap the data key");
  EXPECT_EQ(cache.unwrap_count(), 1u);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(DataKeyStream, UnusableKeysAreInvalidArgument) {
  DataKeyCache cache;
  auto dec = make_data_key_decryptor("garbage", cache).value();
  RecordingSink sink;
  auto r = dec->update(data_key_encrypt(data_key(), "x").value(), sink);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);

  DataKey short_key{data_key().key.substr(1), data_key().wrapped};
  EXPECT_EQ(make_data_key_encryptor(short_key).error().code, ErrorCode::kInvalidArgument);
  DataKey no_wrapped{data_key().key, ""};
  EXPECT_EQ(make_data_key_encryptor(no_wrapped).error().code, ErrorCode::kInvalidArgument);
}

TEST(DataKeyStream, FormatsRefuseEachOther) {
  DataKeyCache cache;
  std::string pghoa1 = rsa_envelope_encrypt(rsa1024().public_pem, "hello").value();
  std::string astdk1 = data_key_encrypt(data_key(), "hello").value();
  expect_corruption(run(*astdk1_decryptor(cache), pghoa1, Chunking::kOneByte), "bad magic");
  expect_corruption(run(*pghoa1_decryptor(), astdk1, Chunking::kOneByte), "Invalid magic bytes");
}

// ---- what only streaming has: bounded writes, the held-back tag, sticky errors ----------------

TEST(EnvelopeStream, SinkWritesStayWithinOneMiBForAFiveMiBUpdate) {
  std::string plain = random_bytes(5 * kMiB, 11);
  DataKeyCache cache;
  struct Pair {
    std::string name;
    std::unique_ptr<StreamTransform> enc, dec;
  };
  Pair pairs[] = {{"pghoa1", pghoa1_encryptor(), pghoa1_decryptor()},
                  {"astdk1", astdk1_encryptor(data_key()), astdk1_decryptor(cache)}};
  for (Pair& p : pairs) {
    SCOPED_TRACE(p.name);
    RecordingSink stored;
    ASSERT_TRUE(p.enc->update(plain, stored));
    ASSERT_TRUE(p.enc->finish(stored));
    EXPECT_LE(stored.max_piece, kMiB);
    RecordingSink decrypted;
    ASSERT_TRUE(p.dec->update(stored.out, decrypted));
    ASSERT_TRUE(p.dec->finish(decrypted));
    EXPECT_LE(decrypted.max_piece, kMiB);
    EXPECT_TRUE(same_bytes(decrypted.out, plain));
  }
}

// Documented difference from the whole-buffer readers: plaintext reaches the sink before the tag
// is checked; only the last 32 bytes seen are held back.
TEST(EnvelopeStream, DecryptorsHoldBackOnlyTheLast32Bytes) {
  std::string plain = random_bytes(4096, 12);
  DataKeyCache cache;
  struct Case {
    std::string stored;
    std::unique_ptr<StreamTransform> dec;
  };
  Case cases[] = {{rsa_envelope_encrypt(rsa1024().public_pem, plain).value(), pghoa1_decryptor()},
                  {data_key_encrypt(data_key(), plain).value(), astdk1_decryptor(cache)}};
  for (Case& c : cases) {
    std::string_view stored = c.stored;
    RecordingSink sink;
    ASSERT_TRUE(c.dec->update(stored.substr(0, stored.size() - 32), sink));
    EXPECT_EQ(sink.out, plain.substr(0, plain.size() - 32));  // the last 32 ciphertext bytes may be the tag
    ASSERT_TRUE(c.dec->update(stored.substr(stored.size() - 32), sink));
    EXPECT_EQ(sink.out, plain);
    EXPECT_TRUE(c.dec->finish(sink));
  }
  // A tampered tag is only noticed by finish(), after all the plaintext was written.
  std::string bad = flip_bit(rsa_envelope_encrypt(rsa1024().public_pem, plain).value(), kPghoa1Prefix + 4096 + 5);
  auto dec = pghoa1_decryptor();
  RecordingSink sink;
  ASSERT_TRUE(dec->update(bad, sink));
  EXPECT_EQ(sink.out, plain);
  expect_corruption(dec->finish(sink), "Integrity check failed");
}

TEST(EnvelopeStream, SinkErrorsStopTheTransform) {
  DataKeyCache cache;
  std::unique_ptr<StreamTransform> encryptors[] = {pghoa1_encryptor(), astdk1_encryptor(data_key())};
  for (auto& enc : encryptors) {
    FailingSink sink(1);  // the prefix goes through, the first ciphertext piece fails
    auto r = enc->update("payload", sink);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kIoError);
    EXPECT_EQ(enc->update("more", sink).error().message, "disk full");
    EXPECT_EQ(enc->finish(sink).error().message, "disk full");
  }
  std::string stored = data_key_encrypt(data_key(), random_bytes(100, 13)).value();
  auto dec = astdk1_decryptor(cache);
  FailingSink sink(0);
  EXPECT_EQ(dec->update(stored, sink).error().code, ErrorCode::kIoError);
  EXPECT_EQ(dec->finish(sink).error().code, ErrorCode::kIoError);
}

TEST(EnvelopeStream, CallsAfterFinishAreInternalErrors) {
  DataKeyCache cache;
  std::unique_ptr<StreamTransform> transforms[] = {pghoa1_encryptor(), pghoa1_decryptor(),
                                                   astdk1_encryptor(data_key()), astdk1_decryptor(cache)};
  std::string astdk1_empty = data_key_encrypt(data_key(), "").value();
  for (size_t i = 0; i < std::size(transforms); ++i) {
    RecordingSink sink;
    if (i == 3) {
      ASSERT_TRUE(transforms[i]->update(astdk1_empty, sink));  // a decryptor needs a whole object
    }
    ASSERT_TRUE(transforms[i]->finish(sink)) << i;
    EXPECT_EQ(transforms[i]->update("x", sink).error().code, ErrorCode::kInternal) << i;
    EXPECT_EQ(transforms[i]->finish(sink).error().code, ErrorCode::kInternal) << i;
  }
}

}  // namespace
}  // namespace astacus::codec
