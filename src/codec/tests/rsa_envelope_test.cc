#include "codec/rsa_envelope.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <memory>

#include "codec/compression.h"
#include "codec/sha256.h"
#include "codec/tests/spec_vectors.h"
#include "codec/tests/test_util.h"

namespace astacus::codec {
namespace {

using testing::counting_bytes;
using testing::random_bytes;
using testing::unhex;

const std::string kAesKey = counting_bytes(16, 0x00);
const std::string kCtrIv = counting_bytes(16, 0x10);
const std::string kHmacKey = counting_bytes(32, 0x20);

const RsaKeyPem& key1024() {
  static const RsaKeyPem key = generate_rsa_key(1024).value();
  return key;
}
const RsaKeyPem& key2048() {
  static const RsaKeyPem key = generate_rsa_key(2048).value();
  return key;
}

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char out[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string aes_ctr(std::string_view key, std::string_view iv, std::string_view in) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free);
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr,
                     reinterpret_cast<const unsigned char*>(key.data()),
                     reinterpret_cast<const unsigned char*>(iv.data()));
  std::string out(in.size(), '\0');
  int n = 0;
  EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n,
                    reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  return out;
}

// The same private key re-encoded as PKCS#1 "BEGIN RSA PRIVATE KEY".
std::string to_pkcs1(const std::string& pkcs8_pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> in(
      BIO_new_mem_buf(pkcs8_pem.data(), static_cast<int>(pkcs8_pem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey_traditional(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

TEST(RsaEnvelope, RoundTripSizesAndKeySizes) {
  for (const RsaKeyPem* key : {&key1024(), &key2048()}) {
    for (size_t n : {size_t{1}, size_t{200}, size_t{201}, size_t{65535}, size_t{65537}, size_t{1} << 20}) {
      std::string plain = random_bytes(n, static_cast<uint32_t>(n));
      std::string stored = rsa_envelope_encrypt(key->public_pem, plain).value();
      size_t block = key == &key1024() ? 128 : 256;
      ASSERT_EQ(stored.size(), 8 + block + n + 32);
      EXPECT_EQ(stored.substr(0, 6), "pghoa1");
      EXPECT_EQ(static_cast<size_t>(static_cast<uint8_t>(stored[6])) << 8 | static_cast<uint8_t>(stored[7]),
                block);
      EXPECT_EQ(rsa_envelope_decrypt(key->private_pem, stored).value(), plain);
    }
  }
}

TEST(RsaEnvelope, FreshSecretsEveryCall) {
  std::string a = rsa_envelope_encrypt(key1024().public_pem, "same").value();
  std::string b = rsa_envelope_encrypt(key1024().public_pem, "same").value();
  EXPECT_NE(a.substr(136), b.substr(136));
}

TEST(RsaEnvelope, EmptyPlaintextIsEmptyObject) {
  EXPECT_EQ(rsa_envelope_encrypt(key1024().public_pem, "").value(), "");
  EXPECT_EQ(rsa_envelope_decrypt(key1024().private_pem, "").value(), "");
}

TEST(RsaEnvelope, HeaderPlusTagWithoutCiphertextDecryptsToEmpty) {
  std::string one = envelope_encrypt_with_keys(key1024().public_pem, kAesKey, kCtrIv, kHmacKey, "x").value();
  std::string stored = one.substr(0, 136) + hmac(kHmacKey, "");
  EXPECT_EQ(stored.size(), 168u);
  EXPECT_EQ(rsa_envelope_decrypt(key1024().private_pem, stored).value(), "");
}

TEST(RsaEnvelope, AcceptsPkcs1PrivateKey) {
  std::string pkcs1 = to_pkcs1(key2048().private_pem);
  ASSERT_NE(pkcs1.find("BEGIN RSA PRIVATE KEY"), std::string::npos);
  std::string stored = rsa_envelope_encrypt(key2048().public_pem, "pkcs1").value();
  EXPECT_EQ(rsa_envelope_decrypt(pkcs1, stored).value(), "pkcs1");
}

TEST(RsaEnvelope, TamperedCiphertextTagOrHeaderIsCorruption) {
  std::string stored = rsa_envelope_encrypt(key1024().public_pem, random_bytes(5000)).value();
  for (size_t pos : {size_t{140}, stored.size() - 33, stored.size() - 1, size_t{50}}) {
    std::string bad = stored;
    bad[pos] ^= 0x01;
    auto r = rsa_envelope_decrypt(key1024().private_pem, bad);
    ASSERT_FALSE(r) << "flip at " << pos;
    EXPECT_EQ(r.error().code, ErrorCode::kCorruption) << r.error().to_string();
  }
  std::string bad = stored;
  bad[300] ^= 0x80;
  EXPECT_EQ(rsa_envelope_decrypt(key1024().private_pem, bad).error().message, "Integrity check failed");
}

TEST(RsaEnvelope, BadMagicAndTruncation) {
  std::string stored = rsa_envelope_encrypt(key1024().public_pem, "hello").value();
  std::string bad = stored;
  bad[0] = 'P';
  auto r = rsa_envelope_decrypt(key1024().private_pem, bad);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  EXPECT_EQ(r.error().message, "Invalid magic bytes");
  for (size_t n : {size_t{3}, size_t{8}, size_t{100}, size_t{8 + 128 + 31}}) {
    EXPECT_EQ(rsa_envelope_decrypt(key1024().private_pem, stored.substr(0, n)).error().code,
              ErrorCode::kCorruption)
        << n;
  }
}

TEST(RsaEnvelope, WrongPrivateKeyIsCorruption) {
  std::string stored = rsa_envelope_encrypt(key1024().public_pem, "hello").value();
  auto other = generate_rsa_key(1024).value();
  EXPECT_EQ(rsa_envelope_decrypt(other.private_pem, stored).error().code, ErrorCode::kCorruption);
}

TEST(RsaEnvelope, BadPemsAreInvalidArgument) {
  EXPECT_EQ(rsa_envelope_encrypt("not a pem", "x").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(rsa_envelope_decrypt("not a pem", "x").error().code, ErrorCode::kInvalidArgument);
  // A private PEM where a public one is expected.
  EXPECT_EQ(rsa_envelope_encrypt(key1024().private_pem, "x").error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(envelope_encrypt_with_keys(key1024().public_pem, "short", kCtrIv, kHmacKey, "x"));
}

TEST(RsaEnvelope, GeneratedKeyFormats) {
  EXPECT_NE(key1024().public_pem.find("-----BEGIN PUBLIC KEY-----"), std::string::npos);
  EXPECT_NE(key1024().private_pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  EXPECT_FALSE(generate_rsa_key(512));
}

// §4.2: the -enc vectors, checked without rohmu's private key: the ciphertext and tag come from
// the pinned secrets, the compressed stream inside is the -noenc vector, and our encryptor
// reproduces ciphertext ‖ tag exactly after a 136-byte header.
TEST(SpecVectors, EncVectorsCiphertextTagAndReEncryption) {
  int checked = 0;
  for (const auto& v : testing::kSpecVectors) {
    if (!v.encrypted) continue;
    SCOPED_TRACE(std::string(v.name));
    std::string stored = unhex(v.stored_hex);
    std::string ciphertext = unhex(v.ciphertext_hex);
    std::string tag = unhex(v.tag_hex);
    ASSERT_EQ(stored.size(), 136 + ciphertext.size() + 32);
    EXPECT_EQ(stored.substr(0, 8), unhex("7067686f61310080"));
    EXPECT_EQ(stored.substr(136), ciphertext + tag);
    EXPECT_EQ(hmac(kHmacKey, ciphertext), tag);
    std::string compressed = aes_ctr(kAesKey, kCtrIv, ciphertext);
    std::string plain = v.algorithm.empty()
                            ? compressed
                            : decompress(parse_compression(v.algorithm).value(), compressed).value();
    EXPECT_EQ(plain, testing::kPlaintext);
    std::string ours =
        envelope_encrypt_with_keys(key1024().public_pem, kAesKey, kCtrIv, kHmacKey, compressed).value();
    EXPECT_EQ(ours.substr(0, 8), stored.substr(0, 8));
    EXPECT_EQ(ours.substr(136), ciphertext + tag);
    EXPECT_EQ(rsa_envelope_decrypt(key1024().private_pem, ours).value(), compressed);
    EXPECT_EQ(sha256_hex(stored), v.sidecar.substr(v.sidecar.size() - 66, 64));
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(SpecVectors, EncVectorsCompressedStreamIsTheNoencVector) {
  // zstd-enc wraps the zstd-noenc bytes, etc.
  for (int i = 1; i <= 3; ++i) {
    const auto& enc = testing::kSpecVectors[i];
    const auto& noenc = testing::kSpecVectors[i + 3];
    EXPECT_EQ(aes_ctr(kAesKey, kCtrIv, unhex(enc.ciphertext_hex)), unhex(noenc.stored_hex)) << enc.name;
  }
}

TEST(SpecVectors, EmptyPlaintextObjects) {
  struct Case {
    Compression alg;
    std::string_view after_header_hex;
    size_t stored_size;
  };
  const Case cases[] = {
      {Compression::kZstd,
       "2f4bc089c1d5026e9047e2cfa29d7eaa29398c7d3a7288589878de6813ea0100750aa4adf379477464", 177},
      {Compression::kLzma,
       "fac9952cbbd5036a76d85a578e9492938e1d8125c7ba717f47797d628bfd87521d3686956f318556dd0afe431c72fba1"
       "db4c0cbe84eb02e57ee89fd5e5b6e057",
       200},
  };
  for (const auto& c : cases) {
    std::string compressed = compress(c.alg, 0, "").value();
    std::string ours =
        envelope_encrypt_with_keys(key1024().public_pem, kAesKey, kCtrIv, kHmacKey, compressed).value();
    EXPECT_EQ(ours.size(), c.stored_size) << compression_name(c.alg);
    EXPECT_EQ(to_hex(ours.substr(136)), c.after_header_hex) << compression_name(c.alg);
  }
  // Snappy emits nothing for empty input, so the encrypted object is 0 bytes.
  std::string snappy = compress(Compression::kSnappy, 0, "").value();
  EXPECT_EQ(envelope_encrypt_with_keys(key1024().public_pem, kAesKey, kCtrIv, kHmacKey, snappy).value(), "");
}

TEST(SpecVectors, LargeCounterCarryVectors) {
  std::string plain(1000003, '\0');
  for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<char>(i & 0xff);
  ASSERT_EQ(sha256_hex(plain), "47aa1bdab962c80b8d8bfa5c698d716697747ac808933226244985de59330fdb");
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
    std::string stored =
        envelope_encrypt_with_keys(key1024().public_pem, kAesKey, unhex(c.iv_hex), kHmacKey, plain).value();
    std::string_view body = std::string_view(stored).substr(136);
    EXPECT_EQ(sha256_hex(body.substr(0, plain.size())), c.ciphertext_sha256) << c.iv_hex;
    EXPECT_EQ(to_hex(body.substr(plain.size())), c.tag_hex) << c.iv_hex;
    EXPECT_EQ(rsa_envelope_decrypt(key1024().private_pem, stored).value(), plain);
  }
}

}  // namespace
}  // namespace astacus::codec
