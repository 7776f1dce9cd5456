#include "codec/data_key_envelope.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <latch>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "codec/rsa_envelope.h"
#include "codec/tests/test_util.h"

namespace astacus::codec {
namespace {

using testing::random_bytes;

constexpr size_t kOverhead = 8 + 256 + 16 + 32;  // header + RSA-2048 wrapped key + nonce + tag

class DataKeyEnvelope : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_ = new RsaKeyPem(generate_rsa_key(2048).value());
    other_key_ = new RsaKeyPem(generate_rsa_key(2048).value());
  }
  static void TearDownTestSuite() {
    delete key_;
    delete other_key_;
    key_ = other_key_ = nullptr;
  }
  static const RsaKeyPem& key() { return *key_; }
  static const RsaKeyPem& other_key() { return *other_key_; }

  static RsaKeyPem* key_;
  static RsaKeyPem* other_key_;
};

RsaKeyPem* DataKeyEnvelope::key_ = nullptr;
RsaKeyPem* DataKeyEnvelope::other_key_ = nullptr;

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char out[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string aes256_ctr(std::string_view key, std::string_view iv, std::string_view in) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_ctr(), nullptr, reinterpret_cast<const unsigned char*>(key.data()),
                     reinterpret_cast<const unsigned char*>(iv.data()));
  std::string out(in.size(), '\0');
  int n = 0;
  EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n,
                    reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  return out;
}

void expect_corruption(const Result<std::string>& r, std::string_view needle) {
  ASSERT_FALSE(r.has_value()) << "expected an error containing: " << needle;
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption) << r.error().to_string();
  EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().to_string();
}

TEST_F(DataKeyEnvelope, NewDataKey) {
  DataKey dk = new_data_key(key().public_pem).value();
  EXPECT_EQ(dk.key.size(), 32u);
  EXPECT_EQ(dk.wrapped.size(), 256u);
  DataKey dk2 = new_data_key(key().public_pem).value();
  EXPECT_NE(dk.key, dk2.key);
  EXPECT_NE(dk.wrapped, dk2.wrapped);

  DataKeyCache cache;
  EXPECT_EQ(cache.unwrap(key().private_pem, dk.wrapped).value(), dk.key);
  EXPECT_EQ(cache.unwrap(key().private_pem, dk2.wrapped).value(), dk2.key);

  auto bad = new_data_key("not a pem");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(DataKeyEnvelope, RoundTripSizes) {
  DataKey dk = new_data_key(key().public_pem).value();
  DataKeyCache cache;
  for (size_t n : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{1} << 20}) {
    SCOPED_TRACE(n);
    std::string plain = random_bytes(n, static_cast<uint32_t>(n));
    std::string stored = data_key_encrypt(dk, plain).value();
    ASSERT_EQ(stored.size(), kOverhead + n);
    EXPECT_EQ(stored.substr(0, 6), "astdk1");
    EXPECT_EQ(static_cast<uint8_t>(stored[6]), 0x01);  // 256 big-endian
    EXPECT_EQ(static_cast<uint8_t>(stored[7]), 0x00);
    EXPECT_EQ(stored.substr(8, 256), dk.wrapped);
    EXPECT_TRUE(is_data_key_object(stored));
    EXPECT_EQ(data_key_decrypt(key().private_pem, stored, cache).value(), plain);
  }
  EXPECT_EQ(cache.unwrap_count(), 1u);
}

// Pins the documented layout with independent OpenSSL calls.
TEST_F(DataKeyEnvelope, FormatMatchesTheDocumentedLayout) {
  DataKey dk = new_data_key(key().public_pem).value();
  std::string plain = random_bytes(1000, 7);
  std::string stored = data_key_encrypt(dk, plain).value();
  std::string enc = hmac(dk.key, "astacus-dk1 enc");
  std::string mac = hmac(dk.key, "astacus-dk1 mac");
  std::string nonce = stored.substr(8 + 256, 16);
  std::string ciphertext = stored.substr(8 + 256 + 16, plain.size());
  EXPECT_EQ(aes256_ctr(enc, nonce, ciphertext), plain);
  EXPECT_EQ(stored.substr(stored.size() - 32), hmac(mac, stored.substr(0, stored.size() - 32)));
  EXPECT_NE(enc, mac);
}

TEST_F(DataKeyEnvelope, SameDataKeyGivesFreshNonces) {
  DataKey dk = new_data_key(key().public_pem).value();
  std::string plain = random_bytes(4096, 1);
  std::string a = data_key_encrypt(dk, plain).value();
  std::string b = data_key_encrypt(dk, plain).value();
  EXPECT_EQ(a.substr(0, 8 + 256), b.substr(0, 8 + 256));  // same header and wrapped key
  EXPECT_NE(a.substr(8 + 256, 16), b.substr(8 + 256, 16));
  EXPECT_NE(a.substr(8 + 256 + 16, plain.size()), b.substr(8 + 256 + 16, plain.size()));
  EXPECT_NE(a, b);

  std::set<std::string> nonces;
  for (int i = 0; i < 100; ++i) nonces.insert(data_key_encrypt(dk, "x").value().substr(8 + 256, 16));
  EXPECT_EQ(nonces.size(), 100u);

  DataKeyCache cache;
  EXPECT_EQ(data_key_decrypt(key().private_pem, a, cache).value(), plain);
  EXPECT_EQ(data_key_decrypt(key().private_pem, b, cache).value(), plain);
}

TEST_F(DataKeyEnvelope, CacheUnwrapsEachWrappedKeyOnce) {
  DataKey dk1 = new_data_key(key().public_pem).value();
  DataKey dk2 = new_data_key(key().public_pem).value();
  std::string o1 = data_key_encrypt(dk1, "first").value();
  std::string o2 = data_key_encrypt(dk1, "second").value();
  std::string o3 = data_key_encrypt(dk2, "third").value();
  DataKeyCache cache;
  EXPECT_EQ(cache.unwrap_count(), 0u);
  EXPECT_EQ(data_key_decrypt(key().private_pem, o1, cache).value(), "first");
  EXPECT_EQ(cache.unwrap_count(), 1u);
  EXPECT_EQ(data_key_decrypt(key().private_pem, o2, cache).value(), "second");
  EXPECT_EQ(data_key_decrypt(key().private_pem, o1, cache).value(), "first");
  EXPECT_EQ(cache.unwrap_count(), 1u);  // same wrapped key: no RSA operation
  EXPECT_EQ(data_key_decrypt(key().private_pem, o3, cache).value(), "third");
  EXPECT_EQ(cache.unwrap_count(), 2u);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.private_key_misses(), 1u);  // the PEM was looked up once
}

TEST_F(DataKeyEnvelope, CacheIsBoundedLeastRecentlyUsed) {
  std::vector<DataKey> dks;
  std::vector<std::string> objects;
  for (int i = 0; i < 3; ++i) {
    dks.push_back(new_data_key(key().public_pem).value());
    objects.push_back(data_key_encrypt(dks.back(), std::to_string(i)).value());
  }
  DataKeyCache cache(2);
  auto dec = [&](int i) { return data_key_decrypt(key().private_pem, objects[i], cache).value(); };
  EXPECT_EQ(dec(0), "0");
  EXPECT_EQ(dec(1), "1");
  EXPECT_EQ(dec(0), "0");  // hit; 0 is now more recent than 1
  EXPECT_EQ(cache.unwrap_count(), 2u);
  EXPECT_EQ(dec(2), "2");  // evicts 1
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(dec(0), "0");
  EXPECT_EQ(cache.unwrap_count(), 3u);
  EXPECT_EQ(dec(1), "1");  // was evicted
  EXPECT_EQ(cache.unwrap_count(), 4u);
  EXPECT_EQ(cache.size(), 2u);
}

TEST_F(DataKeyEnvelope, ConcurrentMissesShareOneUnwrap) {
  DataKey dk = new_data_key(key().public_pem).value();
  std::vector<std::string> objects;
  for (int i = 0; i < 8; ++i) objects.push_back(data_key_encrypt(dk, random_bytes(20000, i)).value());
  DataKeyCache cache;
  std::vector<int> ok(objects.size(), 0);
  std::vector<std::thread> threads;
  std::latch start(static_cast<std::ptrdiff_t>(objects.size()));
  for (size_t t = 0; t < objects.size(); ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();  // all threads miss the cache together
      for (int round = 0; round < 20; ++round) {
        auto r = data_key_decrypt(key().private_pem, objects[t], cache);
        ok[t] += r && *r == random_bytes(20000, static_cast<uint32_t>(t));
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int n : ok) EXPECT_EQ(n, 20);
  EXPECT_EQ(cache.unwrap_count(), 1u);
}

TEST_F(DataKeyEnvelope, TamperingIsDetected) {
  DataKey dk = new_data_key(key().public_pem).value();
  std::string plain = random_bytes(1000, 3);
  const std::string stored = data_key_encrypt(dk, plain).value();
  DataKeyCache cache;
  ASSERT_EQ(data_key_decrypt(key().private_pem, stored, cache).value(), plain);
  auto flipped = [&](size_t at) {
    std::string s = stored;
    s[at] = static_cast<char>(s[at] ^ 0x01);
    return s;
  };
  const size_t body = 8 + 256 + 16;
  expect_corruption(data_key_decrypt(key().private_pem, flipped(body + 500), cache), "authentication tag mismatch");
  expect_corruption(data_key_decrypt(key().private_pem, flipped(stored.size() - 1), cache),
                    "authentication tag mismatch");
  expect_corruption(data_key_decrypt(key().private_pem, flipped(body - 1), cache),  // nonce
                    "authentication tag mismatch");
  expect_corruption(data_key_decrypt(key().private_pem, stored.substr(0, stored.size() - 1), cache),
                    "authentication tag mismatch");
  expect_corruption(data_key_decrypt(key().private_pem, flipped(0), cache), "bad magic");
  expect_corruption(data_key_decrypt(key().private_pem, flipped(8 + 100), cache), "cannot unwrap the data key");
  expect_corruption(data_key_decrypt(key().private_pem, flipped(6), cache), "wrapped key length is 0");
  std::string longer = stored;
  longer[6] = 0x7f;
  expect_corruption(data_key_decrypt(key().private_pem, longer, cache), "goes beyond the data");
  expect_corruption(data_key_decrypt(key().private_pem, stored.substr(0, 7), cache), "truncated header");
  expect_corruption(data_key_decrypt(key().private_pem, "", cache), "truncated header");
  expect_corruption(data_key_decrypt(key().private_pem, stored.substr(0, body + 31), cache),
                    "goes beyond the data");
  expect_corruption(data_key_decrypt(key().private_pem, "pghoa1xxxxxxxxxx", cache), "bad magic");
  // A different wrapped length that still fits the data: not a valid RSA block, so the unwrap
  // fails (and must not be cached).
  std::string shorter = stored;
  shorter[7] = static_cast<char>(0xff);  // 0x01ff = 511 bytes of the 1312-byte object
  auto r = data_key_decrypt(key().private_pem, shorter, cache);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  EXPECT_EQ(cache.size(), 1u);  // failed unwraps are not cached
}

TEST_F(DataKeyEnvelope, WrongPrivateKey) {
  DataKey dk = new_data_key(key().public_pem).value();
  std::string stored = data_key_encrypt(dk, "secret").value();
  DataKeyCache cache;
  expect_corruption(data_key_decrypt(other_key().private_pem, stored, cache), "cannot unwrap the data key");
  expect_corruption(data_key_decrypt(other_key().private_pem, stored, cache), "cannot unwrap the data key");
  EXPECT_EQ(cache.unwrap_count(), 2u);  // failures are not cached
  EXPECT_EQ(cache.size(), 0u);
  auto u = cache.unwrap(other_key().private_pem, dk.wrapped);
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().code, ErrorCode::kCorruption);

  // A key cached for the right private key must not be handed out for a wrong one.
  EXPECT_EQ(data_key_decrypt(key().private_pem, stored, cache).value(), "secret");
  expect_corruption(data_key_decrypt(other_key().private_pem, stored, cache), "cannot unwrap the data key");
  EXPECT_EQ(data_key_decrypt(key().private_pem, stored, cache).value(), "secret");

  auto unusable = data_key_decrypt("garbage", stored, cache);
  ASSERT_FALSE(unusable);
  EXPECT_EQ(unusable.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(DataKeyEnvelope, IsDataKeyObject) {
  std::string pghoa1 = rsa_envelope_encrypt(key().public_pem, "hello").value();
  EXPECT_FALSE(is_data_key_object(pghoa1));
  EXPECT_FALSE(is_data_key_object(""));
  EXPECT_FALSE(is_data_key_object("astdk"));
  EXPECT_FALSE(is_data_key_object("plain data, not encrypted"));
  EXPECT_TRUE(is_data_key_object("astdk1"));
  DataKey dk = new_data_key(key().public_pem).value();
  EXPECT_TRUE(is_data_key_object(data_key_encrypt(dk, "").value()));
  // And the pghoa1 reader refuses an astdk1 object.
  auto r = rsa_envelope_decrypt(key().private_pem, data_key_encrypt(dk, "x").value());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
}

TEST_F(DataKeyEnvelope, InvalidDataKeys) {
  DataKey dk = new_data_key(key().public_pem).value();
  DataKey short_key{dk.key.substr(1), dk.wrapped};
  auto r = data_key_encrypt(short_key, "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  DataKey no_wrapped{dk.key, ""};
  r = data_key_encrypt(no_wrapped, "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace astacus::codec
