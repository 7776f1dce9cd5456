#include "storage/object_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "storage/backend_factory.h"

#include <fmt/format.h>

#include "base/files.h"
#include "codec/blake2s.h"
#include "codec/compression.h"
#include "codec/rsa_envelope.h"
#include "storage/local/local_backend.h"
#include "storage/object_store_keys.h"
#include "storage/pack/pack_listing.h"

namespace astacus::storage {

namespace {

std::string join_keys(const std::map<std::string, config::StorageConfig>& storages) {
  std::string out;
  for (const auto& [name, cfg] : storages) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "(none)" : out;
}

Result<TransformOptions> transform_options(const config::ObjectStorageConfig& config) {
  if (!config.compression.algorithm && !config.encryption_key_id) {
    return errorf(ErrorCode::kInvalidArgument, "object_storage: compression or encryption required");
  }
  if (config.compression.algorithm) {
    auto alg = codec::parse_compression(*config.compression.algorithm);
    if (!alg) return make_error(alg.error().with_context("object_storage.compression.algorithm"));
    if (*alg == codec::Compression::kLzma && (config.compression.level < 0 || config.compression.level > 9)) {
      return errorf(ErrorCode::kInvalidArgument,
                    "object_storage.compression.level: {} is not an lzma preset 0..9",
                    config.compression.level);
    }
  }
  if (config.encryption_key_id && !config.encryption_keys.contains(*config.encryption_key_id)) {
    return errorf(ErrorCode::kInvalidArgument,
                  "object_storage.encryption_key_id: key '{}' is not in object_storage.encryption_keys",
                  *config.encryption_key_id);
  }
  TransformOptions options{config.compression.algorithm, config.compression.level, config.encryption_key_id,
                           config.encryption_keys, config.encryption_format == "astdk1"};
  options.pack_small_blobs = config.pack_small_blobs;
  return options;
}


}  // namespace

Status check_name(std::string_view kind, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    return errorf(ErrorCode::kInvalidArgument, "invalid {} name '{}'", kind, name);
  }
  return ok();
}

ObjectStore::ObjectStore(std::string site_name, std::unique_ptr<Backend> backend, TransformOptions options)
    : name_(std::move(site_name)),
      backend_(std::make_unique<CountingBackend>(std::move(backend))),
      options_(std::move(options)) {
  if (options_.pack_small_blobs) {
    pack_writer_ = std::make_unique<pack::PackWriter>(*backend_, write_metadata(), options_.pack_target_bytes);
  }
}

Result<std::unique_ptr<ObjectStore>> ObjectStore::open(const config::ObjectStorageConfig& config,
                                                       const std::string& site_name) {
  const std::string& site = site_name.empty() ? config.default_storage : site_name;
  auto it = config.storages.find(site);
  if (it == config.storages.end()) {
    return errorf(ErrorCode::kNotFound, "unknown storage '{}'; configured: {}", site,
                  join_keys(config.storages));
  }
  TransformOptions options = ASTACUS_TRY(transform_options(config));
  auto backend = ASTACUS_TRY(make_backend(site, it->second));
  return std::make_unique<ObjectStore>(site, std::move(backend), std::move(options));
}

Metadata ObjectStore::write_metadata() const {
  Metadata out;
  if (options_.encryption_key_id) out.emplace_back(kKeyIdKey, *options_.encryption_key_id);
  if (options_.compression) out.emplace_back(kCompressionKey, *options_.compression);
  return out;
}

Result<const config::EncryptionKey*> ObjectStore::write_key() const {
  auto key = options_.encryption_keys.find(*options_.encryption_key_id);
  if (key == options_.encryption_keys.end()) {
    return errorf(ErrorCode::kInvalidArgument, "storage '{}': encryption key '{}' is not configured", name_,
                  *options_.encryption_key_id);
  }
  return &key->second;
}

Result<const config::EncryptionKey*> ObjectStore::read_key(const std::string& key_id,
                                                          const std::string& object_key) const {
  auto it = options_.encryption_keys.find(key_id);
  if (it == options_.encryption_keys.end() || it->second.private_pem.empty()) {
    return errorf(ErrorCode::kNotFound,
                  "object '{}' (storage '{}') is encrypted with key '{}' but no private key with that id "
                  "is configured (object_storage.encryption_keys)",
                  object_key, name_, key_id);
  }
  return &it->second;
}

int ObjectStore::compression_level(codec::Compression alg, bool manifest) const {
  // Manifest text is mostly hex digests, on which zstd level 1 compresses better than levels
  // 2-6 and twice as fast (a 26 MB manifest of 101k files: 8.64 MB at level 1 vs 9.31 MB at the
  // default 3; 442 vs 225 MB/s), so those levels write manifests at 1; other levels (fast
  // negative ones, strong ones) are kept.
  int level = options_.compression_level;
  bool zstd_default_range = alg == codec::Compression::kZstd && level >= 0 && level <= 6;
  return manifest && zstd_default_range ? 1 : level;
}

Result<StoredObject> ObjectStore::encode(std::string_view plaintext, bool manifest) const {
  StoredObject out{"", write_metadata()};
  std::string compressed;
  std::string_view current = plaintext;
  if (options_.compression) {
    auto alg = ASTACUS_TRY(codec::parse_compression(*options_.compression));
    compressed = ASTACUS_TRY(codec::compress(alg, compression_level(alg, manifest), plaintext));
    current = compressed;
  }
  if (options_.encryption_key_id) {
    const config::EncryptionKey* key = ASTACUS_TRY(write_key());
    auto encrypted = encrypt(*key, current);
    if (!encrypted) {
      return make_error(encrypted.error().with_context(
          fmt::format("object_storage.encryption_keys.{}.public", *options_.encryption_key_id)));
    }
    out.data = std::move(*encrypted);
  } else {
    out.data = options_.compression ? std::move(compressed) : std::string(plaintext);
  }
  return out;
}

void ObjectStore::rotate_data_key() {
  std::lock_guard guard(data_key_mutex_);
  data_key_.reset();
}

Result<codec::DataKey> ObjectStore::current_data_key(const config::EncryptionKey& key) const {
  std::lock_guard guard(data_key_mutex_);
  if (!data_key_) data_key_ = ASTACUS_TRY(codec::new_data_key(key.public_pem));
  return *data_key_;
}

Result<std::string> ObjectStore::encrypt(const config::EncryptionKey& key, std::string_view data) const {
  if (!options_.data_key_format) return codec::rsa_envelope_encrypt(key.public_pem, data);
  codec::DataKey data_key = ASTACUS_TRY(current_data_key(key));
  return codec::data_key_encrypt(data_key, data);
}

// The object's own bytes say which format it is, so sites can hold both.
Result<std::string> ObjectStore::decrypt(const config::EncryptionKey& key, std::string_view data) const {
  if (codec::is_data_key_object(data)) return codec::data_key_decrypt(key.private_pem, data, data_key_cache_);
  return codec::rsa_envelope_decrypt(key.private_pem, data);
}

Result<std::string> ObjectStore::decode(const StoredObject& object, const std::string& key) const {
  auto context = [&](const Error& e) {
    return make_error(e.with_context(fmt::format("storage '{}' object '{}'", name_, key)));
  };
  std::string decrypted;
  std::string_view current = object.data;
  std::string key_id = metadata_value(object.metadata, kKeyIdKey);
  if (!key_id.empty()) {
    const config::EncryptionKey* private_key = ASTACUS_TRY(read_key(key_id, key));
    auto plain = decrypt(*private_key, current);
    if (!plain) return context(plain.error());
    decrypted = std::move(*plain);
    current = decrypted;
  }
  std::string algorithm = metadata_value(object.metadata, kCompressionKey);
  if (algorithm.empty()) return key_id.empty() ? object.data : decrypted;
  auto alg = codec::parse_compression(algorithm);
  if (!alg) return context(alg.error().with_context("compression-algorithm metadata"));
  auto plain = codec::decompress(*alg, current);
  if (!plain) return context(plain.error());
  return std::move(*plain);
}

Result<std::vector<std::string>> ObjectStore::list_hexdigests() {
  std::vector<std::string> names;
  ASTACUS_CHECK(for_each_blob_name([&](std::string_view name) { names.emplace_back(name); }, false));
  return names;
}

Status ObjectStore::list_hexdigests_each(const std::function<void(std::string_view)>& on_name, bool loose_only) {
  size_t names = 0;
  ASTACUS_CHECK(for_each_blob_name(
      [&](std::string_view name) {
        ++names;
        on_name(name);
      },
      loose_only));
  if (!loose_only) blobs_last_listed_ = names;
  return ok();
}

Status ObjectStore::for_each_blob_name(const std::function<void(std::string_view)>& on_name, bool loose_only) {
  ASTACUS_CHECK(backend_->list_each(std::string(kDataDir), on_name));
  if (loose_only) return ok();
  // Index by index, not from the catalog: a listing keeps no packed names of its own.
  return pack::for_each_index(*backend_, [&](const std::string&, const pack::Index& index) {
    for (const auto& entry : index.entries) on_name(pack::hex_of(entry.digest));
    return ok();
  });
}

Result<std::vector<std::string>> ObjectStore::list_jsons() { return backend_->list(std::string(kJsonDir)); }

Status check_unchanged(int fd, const std::filesystem::path& path, const std::optional<FileIdentity>& unchanged) {
  if (!unchanged) return ok();
  FileIdentity now = ASTACUS_TRY(file_identity(fd, path));
  if (now == *unchanged) return ok();
  return errorf(ErrorCode::kConflict, "file '{}' changed while it was being uploaded", path.string());
}

Result<uint64_t> ObjectStore::upload_blob(const std::string& hexdigest, const std::filesystem::path& path,
                                          uint64_t size, bool verify, const std::optional<FileIdentity>& vouched) {
  ASTACUS_CHECK(check_name("blob", hexdigest));
  // O_NOFOLLOW and the fstat below instead of an lstat before the open: one path walk per blob,
  // not two (a tenth of a small-file upload's CPU went to walking the link tree's paths).
  int fd = open_for_reading(path, O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return errorf(ErrorCode::kNotFound, "file not found: '{}'", path.string());
    if (errno == ELOOP) return errorf(ErrorCode::kNotFound, "not a regular file: '{}'", path.string());
    return errorf(ErrorCode::kIoError, "cannot open '{}': {}", path.string(), std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return errorf(ErrorCode::kIoError, "cannot stat '{}': {}", path.string(), std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return errorf(ErrorCode::kNotFound, "not a regular file: '{}'", path.string());
  UploadCheck check{.hash = verify};
  if (verify && vouched && ASTACUS_TRY(file_identity(fd, path)) == *vouched) check = UploadCheck{.unchanged = vouched};
  if (size > options_.stream_threshold) return upload_blob_streaming(hexdigest, fd, path, size, check);
  std::string data = ASTACUS_TRY(read_open_file(fd, path, size));
  if (data.size() < size) {
    return errorf(ErrorCode::kConflict, "file '{}' is shorter than expected: {} bytes, snapshot recorded {}",
                  path.string(), data.size(), size);
  }
  // The bytes hashed are the bytes stored: one read serves both.
  if (check.hash && codec::blake2s_hex(data) != hexdigest) {
    return errorf(ErrorCode::kConflict, "file '{}' no longer has the snapshotted content {}",
                  path.string(), hexdigest);
  }
  ASTACUS_CHECK(check_unchanged(fd, path, check.unchanged));
  return upload_blob_data(hexdigest, data);
}

Result<uint64_t> ObjectStore::upload_blob_data(const std::string& hexdigest, std::string_view plaintext) {
  ASTACUS_CHECK(check_name("blob", hexdigest));
  StoredObject stored = ASTACUS_TRY(encode(plaintext));
  auto digest = pack::digest_of(hexdigest);
  if (pack_writer_ && digest && plaintext.size() <= options_.pack_entry_limit) {
    ASTACUS_CHECK(pack_writer_->add(*digest, stored.data));
    return stored.data.size();
  }
  ASTACUS_CHECK(backend_->put_batched(blob_key(hexdigest), stored.data, stored.metadata));
  return stored.data.size();
}

Result<std::string> ObjectStore::download_blob(const std::string& hexdigest) {
  ASTACUS_CHECK(check_name("blob", hexdigest));
  std::string key;
  StoredObject stored = ASTACUS_TRY(get_blob(hexdigest, key));
  return decode(stored, key);
}

Status ObjectStore::delete_blob(const std::string& hexdigest) {
  ASTACUS_CHECK(check_name("blob", hexdigest));
  return backend_->remove(blob_key(hexdigest));
}

Result<uint64_t> ObjectStore::upload_json(const std::string& name, std::string_view plaintext) {
  ASTACUS_CHECK(check_name("manifest", name));
  StoredObject stored = ASTACUS_TRY(encode(plaintext, /*manifest=*/true));
  ASTACUS_CHECK(backend_->put(fmt::format("{}/{}", kJsonDir, name), stored.data, stored.metadata));
  return stored.data.size();
}

Result<std::string> ObjectStore::download_json(const std::string& name) {
  ASTACUS_CHECK(check_name("manifest", name));
  std::string key = fmt::format("{}/{}", kJsonDir, name);
  StoredObject stored = ASTACUS_TRY(backend_->get(key));
  return decode(stored, key);
}


Result<bool> ObjectStore::json_exists(const std::string& name) {
  ASTACUS_CHECK(check_name("manifest", name));
  return backend_->exists(fmt::format("{}/{}", kJsonDir, name));
}

Status ObjectStore::delete_json(const std::string& name) {
  ASTACUS_CHECK(check_name("manifest", name));
  return backend_->remove(fmt::format("{}/{}", kJsonDir, name));
}

}  // namespace astacus::storage
