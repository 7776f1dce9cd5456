// ObjectStore's streaming path: blobs over TransformOptions::stream_threshold are read, encoded
// and stored (or fetched, decoded and handed out) in pieces of at most kPieceSize, so memory does
// not grow with the blob. The bytes stored are the same formats encode()/decode() handle.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "codec/blake2s.h"
#include "codec/compression.h"
#include "codec/compression_stream.h"
#include "codec/data_key_envelope.h"
#include "codec/envelope_stream.h"
#include "storage/object_store.h"
#include "storage/object_store_keys.h"

namespace astacus::storage {

namespace {

constexpr size_t kPieceSize = size_t{1} << 20;

// Reused per thread: a fresh buffer per blob would page-fault its way in every time.
std::string& piece_buffer() {
  thread_local std::string buffer(kPieceSize, '\0');
  return buffer;
}

// Picks the decryptor by the object's first bytes (astdk1 magic or not), as decode() does.
class EnvelopeSniffer final : public codec::StreamTransform {
 public:
  EnvelopeSniffer(std::string private_pem, codec::DataKeyCache& cache)
      : private_pem_(std::move(private_pem)), cache_(cache) {}

  Status update(std::string_view input, codec::ByteSink& out) override {
    if (inner_) return inner_->update(input, out);
    size_t take = std::min(kMagicSize - head_.size(), input.size());
    head_.append(input.substr(0, take));
    if (head_.size() < kMagicSize) return ok();
    ASTACUS_CHECK(choose(out));
    return inner_->update(input.substr(take), out);
  }

  Status finish(codec::ByteSink& out) override {
    if (!inner_) ASTACUS_CHECK(choose(out));  // a stored object shorter than the magic
    return inner_->finish(out);
  }

 private:
  static constexpr size_t kMagicSize = 6;

  Status choose(codec::ByteSink& out) {
    inner_ = codec::is_data_key_object(head_) ? ASTACUS_TRY(codec::make_data_key_decryptor(private_pem_, cache_))
                                              : ASTACUS_TRY(codec::make_rsa_envelope_decryptor(private_pem_));
    return inner_->update(head_, out);
  }

  std::string private_pem_;
  codec::DataKeyCache& cache_;
  std::string head_;
  std::unique_ptr<codec::StreamTransform> inner_;
};

// Counts what passes through (the stored size of an upload).
class CountingSink final : public codec::ByteSink {
 public:
  explicit CountingSink(codec::ByteSink& next) : next_(next) {}
  Status write(std::string_view bytes) override {
    count += bytes.size();
    return next_.write(bytes);
  }
  uint64_t count = 0;

 private:
  codec::ByteSink& next_;
};

}  // namespace

Result<ObjectStore::Stages> ObjectStore::encoder_stages(uint64_t plaintext_size, bool manifest) const {
  Stages stages;
  if (options_.compression) {
    auto alg = ASTACUS_TRY(codec::parse_compression(*options_.compression));
    stages.push_back(ASTACUS_TRY(codec::make_compressor(alg, compression_level(alg, manifest), plaintext_size)));
  }
  if (options_.encryption_key_id) {
    const config::EncryptionKey* key = ASTACUS_TRY(write_key());
    auto encryptor = options_.data_key_format
                         ? current_data_key(*key).and_then(
                               [](const codec::DataKey& dk) { return codec::make_data_key_encryptor(dk); })
                         : codec::make_rsa_envelope_encryptor(key->public_pem);
    if (!encryptor) {
      return make_error(encryptor.error().with_context(
          fmt::format("object_storage.encryption_keys.{}.public", *options_.encryption_key_id)));
    }
    stages.push_back(std::move(*encryptor));
  }
  return stages;
}

Result<ObjectStore::Stages> ObjectStore::decoder_stages(const Metadata& metadata,
                                                        const std::string& object_key) const {
  Stages stages;
  std::string key_id = metadata_value(metadata, kKeyIdKey);
  if (!key_id.empty()) {
    const config::EncryptionKey* key = ASTACUS_TRY(read_key(key_id, object_key));
    stages.push_back(std::make_unique<EnvelopeSniffer>(key->private_pem, data_key_cache_));
  }
  std::string algorithm = metadata_value(metadata, kCompressionKey);
  if (!algorithm.empty()) {
    auto alg = codec::parse_compression(algorithm);
    if (!alg) return make_error(alg.error().with_context("compression-algorithm metadata"));
    stages.push_back(ASTACUS_TRY(codec::make_decompressor(*alg)));
  }
  return stages;
}

Result<uint64_t> ObjectStore::store_blob_stream(const std::string& hexdigest, uint64_t size, bool verify,
                                                const std::function<Status(codec::ByteSink&)>& produce) {
  auto writer = ASTACUS_TRY(backend_->open_writer(blob_key(hexdigest), write_metadata(), true));
  CountingSink stored(*writer);
  codec::TransformChain chain(ASTACUS_TRY(encoder_stages(size)), stored);
  // Counted (so the compressor's size pledge never trips first) and hashed on the way in.
  codec::VerifyingSink plaintext(chain, size, verify);
  ASTACUS_CHECK(produce(plaintext));
  // A wrong size or digest stores nothing (the writer is dropped uncommitted); the callers
  // say whether that is a changed file or a corrupt source.
  Status checked = verify ? plaintext.check(hexdigest) : plaintext.check_size();
  if (!checked) return errorf(ErrorCode::kConflict, "{}", checked.error().message);
  ASTACUS_CHECK(chain.finish());
  ASTACUS_CHECK(writer->commit());
  return stored.count;
}

Result<uint64_t> ObjectStore::upload_json_from(const std::string& name, uint64_t size,
                                               const std::function<Status(codec::ByteSink&)>& produce) {
  ASTACUS_CHECK(check_name("manifest", name));
  auto writer = ASTACUS_TRY(backend_->open_writer(fmt::format("{}/{}", kJsonDir, name), write_metadata(), false));
  CountingSink stored(*writer);
  codec::TransformChain chain(ASTACUS_TRY(encoder_stages(size, /*manifest=*/true)), stored);
  codec::VerifyingSink plaintext(chain, size, /*hash=*/false);
  ASTACUS_CHECK(produce(plaintext));
  ASTACUS_CHECK(plaintext.check_size());
  ASTACUS_CHECK(chain.finish());
  ASTACUS_CHECK(writer->commit());
  return stored.count;
}

Result<uint64_t> ObjectStore::upload_blob_streaming(const std::string& hexdigest, int fd,
                                                    const std::filesystem::path& path, uint64_t size,
                                                    const UploadCheck& check) {
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  uint64_t done = 0;
  bool changed = false;
  auto read_file_into = [&](codec::ByteSink& out) -> Status {
    std::string& buffer = piece_buffer();
    while (done < size) {
      ssize_t n = ::read(fd, buffer.data(), std::min<uint64_t>(buffer.size(), size - done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errorf(ErrorCode::kIoError, "cannot read '{}': {}", path.string(), std::strerror(errno));
      if (n == 0) break;  // shorter than snapshotted: the size check says so
      ASTACUS_CHECK(out.write(std::string_view(buffer.data(), static_cast<size_t>(n))));
      done += static_cast<uint64_t>(n);
    }
    Status same = check_unchanged(fd, path, check.unchanged);  // before anything is committed
    changed = !same;
    return same;
  };
  auto stored = store_blob_stream(hexdigest, size, check.hash, read_file_into);
  if (stored || stored.error().code != ErrorCode::kConflict || changed) return stored;
  if (done < size) {
    return errorf(ErrorCode::kConflict, "file '{}' is shorter than expected: {} bytes, snapshot recorded {}",
                  path.string(), done, size);
  }
  return errorf(ErrorCode::kConflict, "file '{}' no longer has the snapshotted content {}", path.string(), hexdigest);
}

Result<uint64_t> ObjectStore::copy_blob_from(ObjectStore& source, const std::string& hexdigest, uint64_t size) {
  ASTACUS_CHECK(check_name("blob", hexdigest));
  auto stored = store_blob_stream(hexdigest, size, true,
                                  [&](codec::ByteSink& out) { return source.download_blob_to(hexdigest, out); });
  // The source is the one at fault when its blob does not decode, or decodes to other content.
  if (!stored && (stored.error().code == ErrorCode::kConflict || stored.error().code == ErrorCode::kCorruption)) {
    return errorf(ErrorCode::kCorruption, "blob data/{} in storage '{}' is corrupt ({}); not copied", hexdigest,
                  source.name(), stored.error().message);
  }
  return stored;
}

Status ObjectStore::download_json_each(const std::string& name,
                                       const std::function<Status(std::string_view)>& on_piece) {
  ASTACUS_CHECK(check_name("manifest", name));
  codec::FunctionSink out(on_piece);
  return download_to(fmt::format("{}/{}", kJsonDir, name), out);
}

Status ObjectStore::download_to(const std::string& key, codec::ByteSink& out) {
  auto reader = ASTACUS_TRY(backend_->open_reader(key));
  auto decode_into = [&]() -> Status {
    codec::TransformChain chain(ASTACUS_TRY(decoder_stages(reader->metadata(), key)), out);
    for (;;) {
      std::string_view piece = ASTACUS_TRY(reader->read(kPieceSize));
      if (piece.empty()) break;
      ASTACUS_CHECK(chain.write(piece));
    }
    return chain.finish();
  };
  return decode_into().map_error(
      [&](Error e) { return e.with_context(fmt::format("storage '{}' object '{}'", name_, key)); });
}

}  // namespace astacus::storage
