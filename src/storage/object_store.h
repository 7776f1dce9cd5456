#pragma once
// One storage site as Astacus sees it: blobs under data/<hexdigest>, manifests under
// json/<name>, each object stored as Encrypt(Compress(plaintext)) with rohmu metadata
// (storage-formats.md). Reads decide what to undo from the object's metadata only, so any
// site can read objects written with any codec/key that the config knows.
// Thread safety: safe to share between threads.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/types.h"
#include "storage/backend.h"

namespace astacus::storage {

/// How new objects are written and which keys can read old ones.
struct TransformOptions {
  std::optional<std::string> compression;  // zstd|snappy|lzma
  int compression_level = 0;
  std::optional<std::string> encryption_key_id;
  std::map<std::string, config::EncryptionKey> encryption_keys;
};

class ObjectStore {
 public:
  ObjectStore(std::string site_name, std::unique_ptr<Backend> backend, TransformOptions options);

  /// Builds site `site_name` of `config` (its backend + transforms). Errors name the site:
  /// unknown site, unsupported storage_type, neither compression nor encryption configured,
  /// unknown compression algorithm (key `object_storage.compression.algorithm`), missing key.
  /// An empty `site_name` means `config.default_storage`. The backend of every storage_type
  /// (local, s3, azure, google) comes from backend_factory.h.
  static Result<std::unique_ptr<ObjectStore>> open(const config::ObjectStorageConfig& config,
                                                   const std::string& site_name);

  const std::string& name() const { return name_; }
  Backend& backend() { return *backend_; }

  Result<std::vector<std::string>> list_hexdigests();
  Result<std::vector<std::string>> list_jsons();

  /// Uploads the first `size` bytes of `path` as data/<hexdigest>. Returns the stored size.
  Result<uint64_t> upload_blob(const std::string& hexdigest, const std::filesystem::path& path,
                               uint64_t size);
  /// Uploads `plaintext` as data/<hexdigest> (the caller vouches for the digest).
  Result<uint64_t> upload_blob_data(const std::string& hexdigest, std::string_view plaintext);
  /// Downloads and decodes data/<hexdigest> (plaintext; the caller verifies the hash).
  Result<std::string> download_blob(const std::string& hexdigest);
  Status delete_blob(const std::string& hexdigest);

  /// Uploads json/<name>. Returns the stored size.
  Result<uint64_t> upload_json(const std::string& name, std::string_view plaintext);
  Result<std::string> download_json(const std::string& name);
  Result<bool> json_exists(const std::string& name);
  Status delete_json(const std::string& name);

  /// Encodes plaintext per the write options; returns stored bytes and metadata.
  Result<StoredObject> encode(std::string_view plaintext) const;
  /// Decodes a stored object per its metadata. `key` is only used in error messages.
  Result<std::string> decode(const StoredObject& object, const std::string& key) const;

 private:
  std::string name_;
  std::unique_ptr<Backend> backend_;
  TransformOptions options_;
};

}  // namespace astacus::storage
