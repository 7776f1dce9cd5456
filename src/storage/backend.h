#pragma once
// The raw object-storage interface every backend (local/, s3/, azure/, gcs/) implements.
// Keys are '/'-separated and relative to the site's configured prefix. Metadata is an ordered
// list of string pairs (order matters for byte-compatible local sidecars).
// Thread safety: a Backend may be used from several threads at once.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "codec/stream.h"

namespace astacus::storage {

using Metadata = std::vector<std::pair<std::string, std::string>>;

/// Corruption naming `key` unless a ranged read of [offset, offset + length) got `length` bytes.
Status check_range_length(const std::string& key, uint64_t offset, uint64_t length, uint64_t got);

/// Returns the value of `key` in `md`, or "" when absent.
std::string metadata_value(const Metadata& md, std::string_view key);

struct StoredObject {
  std::string data;
  Metadata metadata;
};

/// One object being written chunk by chunk (write() from codec::ByteSink). Nothing is visible
/// until commit() succeeds; a writer dropped uncommitted leaves no object and no temp behind.
class ObjectWriter : public codec::ByteSink {
 public:
  /// Makes the object visible (or, for a batched writer, hands it to the next flush()).
  virtual Status commit() = 0;
};

/// One object being read chunk by chunk. A backend that can check the stored bytes (local:
/// the sidecar's SHA-256) reports a mismatch as Corruption from the read that reaches the end.
class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  virtual const Metadata& metadata() const = 0;
  /// The next bytes (at most `max`); an empty view at the end. Valid until the next call.
  virtual Result<std::string_view> read(size_t max) = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;

  /// Stores `data` under `key` with `metadata`, replacing any existing object. The object
  /// becomes visible (to get/list) only once complete.
  virtual Status put(const std::string& key, std::string_view data, const Metadata& metadata) = 0;

  /// Like put(), but the object may become durable and visible only at the next flush(), so
  /// a backend can batch its durability work (local: one filesystem sync for many objects
  /// instead of fsyncs per object). Nothing may refer to the object before flush() returns.
  virtual Status put_batched(const std::string& key, std::string_view data, const Metadata& metadata) {
    return put(key, data, metadata);
  }

  /// Makes every put_batched() object so far durable and visible.
  virtual Status flush() { return ok(); }

  /// A writer for `key` (put() / put_batched() semantics by `batched`). The default buffers the
  /// whole object and calls put(); backends that can stream (local) write as bytes arrive.
  virtual Result<std::unique_ptr<ObjectWriter>> open_writer(const std::string& key, const Metadata& metadata,
                                                            bool batched);

  /// A reader of `key`; NotFound when absent. The default reads the whole object with get().
  virtual Result<std::unique_ptr<ObjectReader>> open_reader(const std::string& key);

  /// Reads the object. NotFound (naming the key) when absent.
  virtual Result<StoredObject> get(const std::string& key) = 0;

  /// Exactly the bytes [offset, offset + length) of the object, without its metadata (a blob in a
  /// pack, storage/pack/). NotFound when absent; Corruption when the object is shorter. Nothing
  /// is checked against the object's stored hash: the caller checks what it decodes. The default
  /// reads the whole object with get(); the backends fetch only the range.
  virtual Result<std::string> get_range(const std::string& key, uint64_t offset, uint64_t length);

  virtual Result<bool> exists(const std::string& key) = 0;

  /// Deletes the object. NotFound when absent.
  virtual Status remove(const std::string& key) = 0;

  /// Base names of the objects directly under `dir` (e.g. "data", "json"); unsorted.
  virtual Result<std::vector<std::string>> list(const std::string& dir) = 0;

  /// The names list() returns, handed to `on_name` one at a time (the view lasts for the call),
  /// for callers that keep them in another form or keep only some: a million 64-character
  /// names cost ~112 MB as strings. The default calls list(); a backend that can, streams.
  virtual Status list_each(const std::string& dir, const std::function<void(std::string_view)>& on_name);

  /// Removes what interrupted writes left behind (the temp files of a process that died before
  /// its put finished or its batch was flushed) that were last written more than `older_than`
  /// ago; returns how many files it removed. The default removes nothing: S3, Azure and GCS never
  /// show a partial object. Azure drops uncommitted blocks after 7 days and GCS resumable
  /// sessions expire after a week; S3 keeps an incomplete multipart upload until a bucket
  /// lifecycle rule aborts it (s3/README.md).
  virtual Result<size_t> remove_stale_temps(std::chrono::seconds /*older_than*/) { return size_t{0}; }

  /// Human description for messages, e.g. "local directory '/srv/backup'".
  virtual std::string describe() const = 0;
};

}  // namespace astacus::storage
