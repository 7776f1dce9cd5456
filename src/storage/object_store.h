#pragma once
// One storage site as Astacus sees it: blobs under data/<hexdigest>, manifests under
// json/<name>, each object stored as Encrypt(Compress(plaintext)) with rohmu metadata
// (storage-formats.md). Reads decide what to undo from the object's metadata only, so any
// site can read objects written with any codec/key that the config knows.
// Thread safety: safe to share between threads.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/files.h"
#include "base/result.h"
#include "codec/compression.h"
#include "codec/data_key_envelope.h"
#include "config/types.h"
#include "storage/backend.h"
#include "storage/pack/pack_catalog.h"
#include "storage/pack/pack_writer.h"
#include "storage/traffic.h"

namespace astacus::storage {

/// How new objects are written and which keys can read old ones.
struct TransformOptions {
  std::optional<std::string> compression;  // zstd|snappy|lzma
  int compression_level = 0;
  std::optional<std::string> encryption_key_id;
  std::map<std::string, config::EncryptionKey> encryption_keys;
  bool data_key_format = false;  // write "astdk1" objects (config encryption_format)
  /// Blobs larger than this are streamed through bounded buffers (upload_blob); smaller ones
  /// are read and encoded whole, which is cheaper per object.
  /// 2 MiB keeps a whole blob's buffers (plaintext + encoded) under the server's 4 MiB mmap
  /// threshold (app/server_main.cc), so they are reused rather than page-faulted in each time.
  uint64_t stream_threshold = uint64_t{2} << 20;
  /// New blobs of at most pack_entry_limit plaintext bytes go into packs of about
  /// pack_target_bytes (storage/pack/; config object_storage.pack_small_blobs). Per small blob a
  /// loose object costs two file creations and renames on local storage (object and sidecar),
  /// ~200 us of kernel time here; above 256 KiB hashing and compressing dwarf that.
  bool pack_small_blobs = false;
  uint64_t pack_entry_limit = uint64_t{256} << 10;
  uint64_t pack_target_bytes = uint64_t{16} << 20;
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
  /// The site's backend (every call through it is counted in traffic()).
  Backend& backend() { return *backend_; }
  /// Requests and bytes this store has sent to its site since it was opened.
  Traffic traffic() const { return backend_->traffic(); }

  /// The names of the blobs stored: loose (data/<hexdigest>) and packed (pack/); a blob stored
  /// both ways may be named twice.
  Result<std::vector<std::string>> list_hexdigests();
  /// The same names one at a time (Backend::list_each), for callers that keep them in another
  /// form or keep only some. `loose_only`: only data/<hexdigest> (what delete_blob can remove).
  Status list_hexdigests_each(const std::function<void(std::string_view)>& on_name, bool loose_only = false);
  /// How many names the last complete listing of blobs gave (0 before one): a size hint for the
  /// next listing's consumer, which then sizes its table once instead of growing it by doubling.
  size_t blobs_last_listed() const { return blobs_last_listed_.load(); }
  Result<std::vector<std::string>> list_jsons();

  /// Blob uploads are batched (Backend::put_batched): call flush() before anything (a manifest)
  /// refers to them.
  /// Uploads the first `size` bytes of `path` as data/<hexdigest>. Returns the stored size.
  /// NotFound when `path` is missing or not a regular file (a symlink is not followed).
  /// With `verify`, the bytes read must hash to `hexdigest`; Conflict (nothing stored) when the
  /// file is shorter or its content changed. `vouched` is the identity the file had when its
  /// digest was computed (Snapshotter::vouched_identity): when the open file still shows it, the
  /// bytes are not hashed again, and they are stored only if it still shows it after the read
  /// (Conflict otherwise), so the content is checked without a second hashing pass.
  Result<uint64_t> upload_blob(const std::string& hexdigest, const std::filesystem::path& path,
                               uint64_t size, bool verify = false,
                               const std::optional<FileIdentity>& vouched = std::nullopt);
  /// Blobs over TransformOptions::stream_threshold go through bounded buffers: memory does not
  /// grow with the file, and nothing is stored unless the whole file was read (and verified).
  /// Copies data/<hexdigest> (`size` plaintext bytes) from `source` into this store through
  /// bounded buffers: decoded there, re-encoded with this store's options here, stored only
  /// when the plaintext hashes to `hexdigest` (Corruption naming the source otherwise; nothing
  /// stored). Returns the stored size. Batched like upload_blob (flush() before a manifest).
  Result<uint64_t> copy_blob_from(ObjectStore& source, const std::string& hexdigest, uint64_t size);
  /// Uploads `plaintext` as data/<hexdigest> (the caller vouches for the digest).
  Result<uint64_t> upload_blob_data(const std::string& hexdigest, std::string_view plaintext);
  /// Downloads and decodes data/<hexdigest> (plaintext; the caller verifies the hash).
  Result<std::string> download_blob(const std::string& hexdigest);
  /// Streams the decoded data/<hexdigest> into `out` in pieces of at most ~1 MiB. Corruption
  /// (bad codec bytes, authentication tag, stored hash) may come after pieces were written: the
  /// caller discards what it got on any error, and verifies the content hash itself.
  Status download_blob_to(const std::string& hexdigest, codec::ByteSink& out);
  /// Deletes data/<hexdigest>; packed blobs go by whole packs (sweep_packs).
  Status delete_blob(const std::string& hexdigest);
  /// Removes the packs none of whose blobs `is_kept` (pack/pack_catalog.h).
  Result<pack::SweepCounts> sweep_packs(const std::function<bool(std::string_view hexdigest)>& is_kept);
  Result<bool> blob_exists(const std::string& hexdigest);
  /// Frees what the reads above keep to find packed blobs (48 bytes per packed blob of the
  /// site); the next read loads it again. Servers call it when an op is done with the store.
  void drop_pack_catalog() { pack_catalog_.clear(); }
  /// Makes every blob uploaded so far durable and visible (closing the open pack first).
  Status flush();

  /// Uploads json/<name>. Returns the stored size.
  Result<uint64_t> upload_json(const std::string& name, std::string_view plaintext);
  /// Uploads json/<name> from what `produce` writes: exactly `size` plaintext bytes, encoded
  /// on the way (the manifest of a million files is never held whole). Nothing is stored when
  /// `produce` fails or writes another size. Returns the stored size.
  Result<uint64_t> upload_json_from(const std::string& name, uint64_t size,
                                    const std::function<Status(codec::ByteSink&)>& produce);
  Result<std::string> download_json(const std::string& name);
  /// The decoded text of manifest `name`, handed to `on_piece` as it is read and decoded (pieces
  /// of at most ~1 MiB). Bytes of an encrypted manifest are authenticated only at the end: an
  /// error, even after some pieces, means none of them may be trusted.
  Status download_json_each(const std::string& name, const std::function<Status(std::string_view)>& on_piece);
  Result<bool> json_exists(const std::string& name);
  Status delete_json(const std::string& name);

  /// Starts a new data key for the objects written from now on (astdk1 format only; a node
  /// calls this once per backup so each backup has its own key).
  void rotate_data_key();

  const TransformOptions& options() const { return options_; }

  /// Encodes plaintext per the write options; returns stored bytes and metadata.
  /// A manifest (JSON) may get another zstd level than blobs: compression_level().
  Result<StoredObject> encode(std::string_view plaintext, bool manifest = false) const;
  /// Decodes a stored object per its metadata. `key` is only used in error messages.
  Result<std::string> decode(const StoredObject& object, const std::string& key) const;

 private:
  std::atomic<size_t> blobs_last_listed_{0};
  using Stages = std::vector<std::unique_ptr<codec::StreamTransform>>;
  /// The configured level, or the one manifests are written at (object_store.cc says why).
  int compression_level(codec::Compression alg, bool manifest) const;
  /// What encode() would record in the metadata of a new object.
  Metadata write_metadata() const;
  /// The configured encryption key for new objects (error names the config key).
  Result<const config::EncryptionKey*> write_key() const;
  /// The private key for objects of `key_id` (NotFound naming the object and config key).
  Result<const config::EncryptionKey*> read_key(const std::string& key_id, const std::string& object_key) const;
  /// The data key of the current backup (astdk1), drawn on first use.
  Result<codec::DataKey> current_data_key(const config::EncryptionKey& key) const;
  /// Compression (and encryption) of a new object; a manifest may get another zstd level.
  Result<Stages> encoder_stages(uint64_t plaintext_size, bool manifest = false) const;
  Result<Stages> decoder_stages(const Metadata& metadata, const std::string& object_key) const;
  /// Every blob name (loose, then packed unless `loose_only`) to `on_name`.
  Status for_each_blob_name(const std::function<void(std::string_view)>& on_name, bool loose_only);
  /// The stored bytes of blob `hexdigest`, from its pack or data/<hexdigest>; `key` is set to
  /// where they were (for messages). A blob not where the catalog said, or not found, makes the
  /// catalog look again once (packed or swept by another process since).
  Result<StoredObject> get_blob(const std::string& hexdigest, std::string& key);
  /// Streams the decoded object `key` into `out`.
  Status download_to(const std::string& key, codec::ByteSink& out);
  /// Encodes what `produce` writes and stores it as data/<hexdigest>; with `verify`, only when
  /// it hashes to `hexdigest` (Conflict "the content hashes to ..." otherwise).
  Result<uint64_t> store_blob_stream(const std::string& hexdigest, uint64_t size, bool verify,
                                     const std::function<Status(codec::ByteSink&)>& produce);
  /// How an upload makes sure the file still has the snapshotted content: by hashing what it
  /// reads, or by the file's identity being `unchanged` before and after the read.
  struct UploadCheck {
    bool hash = false;
    std::optional<FileIdentity> unchanged;
  };
  Result<uint64_t> upload_blob_streaming(const std::string& hexdigest, int fd, const std::filesystem::path& path,
                                         uint64_t size, const UploadCheck& check);

  std::string name_;
  Result<std::string> encrypt(const config::EncryptionKey& key, std::string_view data) const;
  Result<std::string> decrypt(const config::EncryptionKey& key, std::string_view data) const;

  std::unique_ptr<CountingBackend> backend_;
  TransformOptions options_;
  std::unique_ptr<pack::PackWriter> pack_writer_;  // with options_.pack_small_blobs
  pack::PackCatalog pack_catalog_;
  mutable std::mutex data_key_mutex_;
  mutable std::optional<codec::DataKey> data_key_;  // created on first use
  mutable codec::DataKeyCache data_key_cache_;      // unwrapped keys of objects read
};

}  // namespace astacus::storage
