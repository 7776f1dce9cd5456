// The streaming pghoa1 and astdk1 envelopes (envelope_stream.h). Both formats are
//   prefix (magic ‖ u16be length ‖ RSA block [‖ nonce]) ‖ AES-CTR ciphertext ‖ HMAC-SHA256 tag [32],
// so one body class does the cipher and MAC work, one writer class and one reader class do the
// prefix and tag bookkeeping, and the format-specific parts (layout, unwrap, error messages) come
// from rsa_envelope.h and data_key_envelope.h, where the whole-buffer functions use them too.

#include "codec/envelope_stream.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "codec/openssl_util.h"
#include "codec/rsa_envelope.h"
#include "codec/rsa_keys.h"

namespace astacus::codec {

namespace {

constexpr size_t kMaxPiece = size_t{1} << 20;  // the largest sink write (stream.h)
constexpr size_t kTagSize = HmacSha256::kSize;
static_assert(kTagSize == pghoa1::kTagSize && kTagSize == astdk1::kTagSize);
static_assert(pghoa1::kFixedHeaderSize == astdk1::kFixedHeaderSize);
constexpr size_t kFixedHeaderSize = pghoa1::kFixedHeaderSize;  // magic ‖ u16be length: gives the prefix size

std::string_view as_chars(const unsigned char* bytes, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(bytes), size);
}

// stream.h: an error stops the transform. Remembers the first error and returns it from every
// later call, and refuses calls after finish().
class StoppableTransform : public StreamTransform {
 public:
  Status update(std::string_view input, ByteSink& out) final {
    ASTACUS_CHECK(usable());
    return remember(on_update(input, out));
  }
  Status finish(ByteSink& out) final {
    ASTACUS_CHECK(usable());
    finished_ = true;
    return remember(on_finish(out));
  }

 protected:
  virtual Status on_update(std::string_view input, ByteSink& out) = 0;
  virtual Status on_finish(ByteSink& out) = 0;

 private:
  Status usable() const {
    if (error_) return make_error(*error_);
    if (finished_) return errorf(ErrorCode::kInternal, "stream transform used after finish()");
    return ok();
  }
  Status remember(Status status) {
    if (!status) error_ = status.error();
    return status;
  }

  std::optional<Error> error_;
  bool finished_ = false;
};

// What follows the prefix in both formats: AES-CTR over the payload and HMAC-SHA256 over the
// ciphertext (astdk1 also MACs the prefix, through authenticate()), written to the sink in pieces
// of at most kMaxPiece through one reused buffer.
class CtrHmacBody {
 public:
  static Result<CtrHmacBody> create(AesCtr::KeyBits bits) {
    AesCtr ctr = ASTACUS_TRY(AesCtr::create(bits));
    HmacSha256 mac = ASTACUS_TRY(HmacSha256::create());
    return CtrHmacBody(std::move(ctr), std::move(mac));
  }

  Status start(const unsigned char* enc_key, const unsigned char* iv, const unsigned char* mac_key,
               size_t mac_key_size) {
    ASTACUS_CHECK(ctr_.start(enc_key, iv));
    return mac_.start(mac_key, mac_key_size);
  }
  Status authenticate(std::string_view bytes) { return mac_.update(bytes); }
  Status encrypt(std::string_view plaintext, ByteSink& out) { return apply(plaintext, Direction::kEncrypt, out); }
  Status decrypt(std::string_view ciphertext, ByteSink& out) { return apply(ciphertext, Direction::kDecrypt, out); }
  /// The kTagSize-byte tag of everything authenticated and encrypted/decrypted so far.
  Status tag(unsigned char* tag) { return mac_.finish(tag); }

 private:
  enum class Direction { kEncrypt, kDecrypt };

  CtrHmacBody(AesCtr ctr, HmacSha256 mac) : ctr_(std::move(ctr)), mac_(std::move(mac)) {}

  Status apply(std::string_view in, Direction direction, ByteSink& out) {
    while (!in.empty()) {
      std::string_view piece = in.substr(0, kMaxPiece);
      in.remove_prefix(piece.size());
      if (buffer_.size() < piece.size()) buffer_.resize(piece.size());
      ASTACUS_CHECK(ctr_.apply(piece, as_uchars(buffer_)));
      std::string_view result(buffer_.data(), piece.size());
      ASTACUS_CHECK(mac_.update(direction == Direction::kEncrypt ? result : piece));  // the MAC covers ciphertext
      ASTACUS_CHECK(out.write(result));
    }
    return ok();
  }

  AesCtr ctr_;
  HmacSha256 mac_;
  std::string buffer_;  // grows to the largest piece seen, at most kMaxPiece
};

// ---- writer ----------------------------------------------------------------------------------

// Writes the prefix, the encrypted input, then the tag.
class EnvelopeWriter final : public StoppableTransform {
 public:
  enum class EmptyPlaintext {
    kNoBytes,       // pghoa1: nothing in, nothing out, so the prefix waits for the first input byte
    kPrefixAndTag,  // astdk1: every object has a prefix and a tag
  };

  EnvelopeWriter(std::string prefix, CtrHmacBody body, EmptyPlaintext empty)
      : prefix_(std::move(prefix)), body_(std::move(body)), empty_(empty) {}

 private:
  Status on_update(std::string_view input, ByteSink& out) override {
    if (input.empty()) return ok();
    ASTACUS_CHECK(write_prefix_once(out));
    return body_.encrypt(input, out);
  }

  Status on_finish(ByteSink& out) override {
    if (!prefix_written_ && empty_ == EmptyPlaintext::kNoBytes) return ok();
    ASTACUS_CHECK(write_prefix_once(out));
    unsigned char tag[kTagSize];
    ASTACUS_CHECK(body_.tag(tag));
    return out.write(as_chars(tag, kTagSize));
  }

  Status write_prefix_once(ByteSink& out) {
    if (prefix_written_) return ok();
    prefix_written_ = true;
    return out.write(prefix_);  // < 64 KiB + 24 bytes: within the sink write bound
  }

  std::string prefix_;
  CtrHmacBody body_;
  EmptyPlaintext empty_;
  bool prefix_written_ = false;
};

// ---- reader ----------------------------------------------------------------------------------

// Collects the prefix (its size is known once its first 8 bytes are in), opens the body with it
// (the RSA unwrap), then decrypts everything but the last kTagSize bytes seen, which may be the
// tag; finish() checks those against the MAC.
class EnvelopeReader : public StoppableTransform {
 protected:
  explicit EnvelopeReader(CtrHmacBody body) : body_(std::move(body)) {}

  /// The format's prefix size from the first bytes (0 while fewer than 8), or Corruption.
  virtual Result<size_t> prefix_size(std::string_view head) const = 0;
  /// Unwraps the key in the complete `prefix` and starts `body` with it.
  virtual Status open(std::string_view prefix, CtrHmacBody& body) = 0;
  /// The outcome for an object of `total` bytes (maybe 0) that ends before its tag.
  virtual Status ended_before_tag(size_t total, size_t prefix_size) const = 0;
  virtual std::string_view tag_mismatch_message() const = 0;

 private:
  Status on_update(std::string_view input, ByteSink& out) override {
    total_ += input.size();
    std::string_view rest = ASTACUS_TRY(take_prefix(input));
    return opened_ ? take_body(rest, out) : ok();
  }

  Status on_finish(ByteSink& /*out*/) override {
    if (!opened_ || held_.size() < kTagSize) return ended_before_tag(total_, prefix_size_);
    unsigned char tag[kTagSize];
    ASTACUS_CHECK(body_.tag(tag));
    if (CRYPTO_memcmp(tag, held_.data(), kTagSize) != 0) {
      return make_error(ErrorCode::kCorruption, std::string(tag_mismatch_message()));
    }
    return ok();
  }

  // Moves prefix bytes from `input` to prefix_, opening the body once the prefix is complete;
  // returns what follows the prefix.
  Result<std::string_view> take_prefix(std::string_view input) {
    while (!opened_ && !input.empty()) {
      size_t wanted = (prefix_size_ != 0 ? prefix_size_ : kFixedHeaderSize) - prefix_.size();
      size_t n = std::min(wanted, input.size());
      prefix_.append(input.substr(0, n));
      input.remove_prefix(n);
      if (prefix_size_ == 0) prefix_size_ = ASTACUS_TRY(prefix_size(prefix_));
      if (prefix_size_ != 0 && prefix_.size() == prefix_size_) {
        ASTACUS_CHECK(open(prefix_, body_));
        opened_ = true;
      }
    }
    return input;
  }

  // Decrypts all but the last kTagSize bytes seen so far, which stay in held_.
  Status take_body(std::string_view input, ByteSink& out) {
    size_t seen = held_.size() + input.size();
    size_t releasable = seen > kTagSize ? seen - kTagSize : 0;
    size_t from_held = std::min(releasable, held_.size());
    ASTACUS_CHECK(body_.decrypt(std::string_view(held_).substr(0, from_held), out));
    held_.erase(0, from_held);
    size_t from_input = releasable - from_held;
    ASTACUS_CHECK(body_.decrypt(input.substr(0, from_input), out));
    held_.append(input.substr(from_input));
    return ok();
  }

  CtrHmacBody body_;
  size_t total_ = 0;        // bytes seen, for the truncation messages
  size_t prefix_size_ = 0;  // 0 until the first 8 bytes are in
  std::string prefix_;
  bool opened_ = false;
  std::string held_;  // at most kTagSize bytes
};

// ---- pghoa1 ----------------------------------------------------------------------------------

// secrets = aes_key ‖ ctr_iv ‖ hmac_key.
Status start_pghoa1_body(CtrHmacBody& body, std::string_view secrets) {
  const unsigned char* s = as_uchars(secrets);
  return body.start(s, s + pghoa1::kAesKeySize, s + pghoa1::kAesKeySize + pghoa1::kIvSize, pghoa1::kHmacKeySize);
}

class Pghoa1Reader final : public EnvelopeReader {
 public:
  Pghoa1Reader(PKeyPtr private_key, CtrHmacBody body)
      : EnvelopeReader(std::move(body)), private_key_(std::move(private_key)) {}

 private:
  Result<size_t> prefix_size(std::string_view head) const override { return pghoa1::prefix_size(head); }

  Status open(std::string_view prefix, CtrHmacBody& body) override {
    std::string secrets = ASTACUS_TRY(pghoa1::unwrap_secrets(private_key_.get(), prefix));
    CleanseOnExit wipe(secrets);
    return start_pghoa1_body(body, secrets);  // the MAC covers the ciphertext only
  }

  Status ended_before_tag(size_t total, size_t prefix_size) const override {
    if (total == 0) return ok();  // rohmu stores the empty plaintext as 0 bytes
    return make_error(pghoa1::truncated(total, prefix_size));
  }

  std::string_view tag_mismatch_message() const override { return pghoa1::kIntegrityCheckFailed; }

  PKeyPtr private_key_;
};

// Takes ownership of `secrets` and wipes them.
Result<std::unique_ptr<StreamTransform>> make_pghoa1_writer(std::string_view public_pem, std::string secrets) {
  CleanseOnExit wipe(secrets);
  PKeyPtr key = ASTACUS_TRY(load_public_key(public_pem));
  std::string prefix = ASTACUS_TRY(pghoa1::make_prefix(key.get(), secrets));
  CtrHmacBody body = ASTACUS_TRY(CtrHmacBody::create(AesCtr::KeyBits::k128));
  ASTACUS_CHECK(start_pghoa1_body(body, secrets));
  return std::make_unique<EnvelopeWriter>(std::move(prefix), std::move(body), EnvelopeWriter::EmptyPlaintext::kNoBytes);
}

// ---- astdk1 ----------------------------------------------------------------------------------

// Keys the body for the object whose complete prefix is `prefix`; the MAC covers the prefix too.
Status start_astdk1_body(CtrHmacBody& body, const DataKeyCache::Keys& keys, std::string_view prefix) {
  ASTACUS_CHECK(body.start(keys.enc, as_uchars(astdk1::nonce_of(prefix)), keys.mac, astdk1::kKeySize));
  return body.authenticate(prefix);
}

class DataKeyReader final : public EnvelopeReader {
 public:
  DataKeyReader(std::string private_pem, DataKeyCache& cache, CtrHmacBody body)
      : EnvelopeReader(std::move(body)), private_pem_(std::move(private_pem)), cache_(cache) {}

 private:
  Result<size_t> prefix_size(std::string_view head) const override { return astdk1::prefix_size(head); }

  Status open(std::string_view prefix, CtrHmacBody& body) override {
    DataKeyCache::Keys keys = ASTACUS_TRY(cache_.keys_for(private_pem_, astdk1::wrapped_key_of(prefix)));
    return start_astdk1_body(body, keys, prefix);
  }

  Status ended_before_tag(size_t total, size_t prefix_size) const override {
    return make_error(astdk1::truncated(total, prefix_size));
  }

  std::string_view tag_mismatch_message() const override { return astdk1::kTagMismatch; }

  std::string private_pem_;
  DataKeyCache& cache_;
};

}  // namespace

Result<std::unique_ptr<StreamTransform>> make_rsa_envelope_encryptor(std::string_view public_pem) {
  std::string secrets = ASTACUS_TRY(pghoa1::random_secrets());
  return make_pghoa1_writer(public_pem, std::move(secrets));
}

Result<std::unique_ptr<StreamTransform>> make_rsa_envelope_encryptor_with_keys(std::string_view public_pem,
                                                                              std::string_view aes_key,
                                                                              std::string_view ctr_iv,
                                                                              std::string_view hmac_key) {
  std::string secrets = ASTACUS_TRY(pghoa1::join_secrets(aes_key, ctr_iv, hmac_key));
  return make_pghoa1_writer(public_pem, std::move(secrets));
}

Result<std::unique_ptr<StreamTransform>> make_rsa_envelope_decryptor(std::string_view private_pem) {
  PKeyPtr key = ASTACUS_TRY(load_private_key(private_pem));
  CtrHmacBody body = ASTACUS_TRY(CtrHmacBody::create(AesCtr::KeyBits::k128));
  return std::make_unique<Pghoa1Reader>(std::move(key), std::move(body));
}

Result<std::unique_ptr<StreamTransform>> make_data_key_encryptor(const DataKey& dk) {
  ASTACUS_CHECK(astdk1::check_data_key(dk));
  DataKeyCache::Keys keys = ASTACUS_TRY(astdk1::derive_keys(dk.key));
  std::string nonce(astdk1::kNonceSize, '\0');
  if (RAND_bytes(as_uchars(nonce), static_cast<int>(nonce.size())) != 1) {
    return openssl_failure("RAND_bytes for the nonce");
  }
  std::string prefix;
  astdk1::append_prefix(prefix, dk.wrapped, nonce);
  CtrHmacBody body = ASTACUS_TRY(CtrHmacBody::create(AesCtr::KeyBits::k256));
  ASTACUS_CHECK(start_astdk1_body(body, keys, prefix));
  return std::make_unique<EnvelopeWriter>(std::move(prefix), std::move(body),
                                          EnvelopeWriter::EmptyPlaintext::kPrefixAndTag);
}

Result<std::unique_ptr<StreamTransform>> make_data_key_decryptor(std::string_view private_pem, DataKeyCache& cache) {
  CtrHmacBody body = ASTACUS_TRY(CtrHmacBody::create(AesCtr::KeyBits::k256));
  return std::make_unique<DataKeyReader>(std::string(private_pem), cache, std::move(body));
}

}  // namespace astacus::codec
