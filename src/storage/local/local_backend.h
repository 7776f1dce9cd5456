#pragma once
// `storage_type: local` — rohmu's LocalTransfer layout (storage-formats.md §2.4), so Python
// Astacus and this implementation can read each other's local storages:
//   object bytes  <directory>/<prefix without surrounding '/'>/<key>
//   metadata      <object path>.metadata  (JSON, see sidecar.h; "_hash" = SHA-256 of the bytes)
// An object without a sidecar does not exist. Names starting with '.', ending in ".metadata" or
// containing ".metadata_tmp" are never objects.
//
// Unlike rohmu, put() is atomic: the bytes go to a hidden temp file that is fsynced and renamed,
// the old sidecar is removed first (so a crash leaves the key absent rather than mismatched),
// then the new sidecar is written via `<basename><random>.metadata_tmp` + rename. get() checks
// the bytes against "_hash" when present (Corruption on mismatch).
// put_batched() writes the same temp files without fsync and renames them only at flush(),
// after one syncfs: a name that is visible always has durable, complete bytes, at the cost of
// one filesystem sync per batch instead of three fsyncs per object. Their temps live in
// `<root>/.astacus-tmp/<n>/` (hidden, never listed) so concurrent uploads don't all queue on the
// lock of one directory. A full batch (20,000 objects or 2 GiB), or a smaller one (2,000 or
// 64 MiB) when no publish runs, is published by a background thread while puts go on; flush()
// waits for it and publishes the rest. A batched publish does not remove an old sidecar first.
// Until its publish, a batched object is invisible, and remove() of it (drop_pending) only
// reaches a batch not yet handed to the background. Temps of a batch that is never flushed are
// removed by the destructor (they were never visible).
//
// Keys are '/'-separated, relative, without "." / ".." / empty parts (surrounding '/' are
// stripped as rohmu does); nothing is ever read or written outside the root.
// Thread safety: safe to share. Concurrent put/remove of one key in one process are serialised;
// other processes writing the same key at the same time are not coordinated (as in rohmu).

#include <array>
#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "storage/backend.h"

namespace astacus::storage {

/// When a batch of put_batched() objects is full and goes to the background publisher: bounds
/// what a crash or a lost flush can waste, and the temp files lying around.
struct LocalBatchLimits {
  size_t objects = 20000;
  uint64_t bytes = uint64_t{2} << 30;
  // A smaller batch goes as soon as the publisher is idle, so that what is left for flush() (and
  // published while nothing else runs) is what arrived during the last publish, not up to a
  // whole batch (a full backup of 100k small files ended with ~2 s of renames on one core).
  size_t eager_objects = 2000;
  uint64_t eager_bytes = uint64_t{64} << 20;
};

class LocalBackend : public Backend {
 public:
  using BatchLimits = LocalBatchLimits;

  /// `prefix` may be empty. An unsafe prefix (absolute after stripping, or with "..") makes every
  /// operation fail with InvalidArgument.
  LocalBackend(std::filesystem::path directory, std::string prefix, BatchLimits limits = {});

  Status put(const std::string& key, std::string_view data, const Metadata& metadata) override;
  /// Streams into the same temp files put()/put_batched() use (data hashed as it is written,
  /// sidecar written at commit()), so an object of any size needs no buffer of its size.
  Result<std::unique_ptr<ObjectWriter>> open_writer(const std::string& key, const Metadata& metadata,
                                                    bool batched) override;
  /// Reads the object in pieces; the SHA-256 of its sidecar is checked when the end is reached.
  Result<std::unique_ptr<ObjectReader>> open_reader(const std::string& key) override;
  Status put_batched(const std::string& key, std::string_view data, const Metadata& metadata) override;
  Status flush() override;
  ~LocalBackend() override;
  Result<StoredObject> get(const std::string& key) override;
  /// pread() of the range; the sidecar is not read (the caller checks what it decodes).
  Result<std::string> get_range(const std::string& key, uint64_t offset, uint64_t length) override;
  Result<bool> exists(const std::string& key) override;
  Status remove(const std::string& key) override;
  /// Lists `dir` ("" = the root). A missing directory lists as empty. Sub-directories are skipped.
  Result<std::vector<std::string>> list(const std::string& dir) override;
  Status list_each(const std::string& dir, const std::function<void(std::string_view)>& on_name) override;
  /// Removes files under `<root>/.astacus-tmp/` last written more than `older_than` ago: the
  /// batched temps of a process that died (kill -9, power loss) before its flush. Those hold
  /// whole blobs, up to two batches (4 GiB) per crash. A put()'s temps beside its object (only
  /// manifests are put that way) are not swept.
  Result<size_t> remove_stale_temps(std::chrono::seconds older_than) override;
  std::string describe() const override;

  /// <directory>/<prefix>: where keys are resolved.
  const std::filesystem::path& root() const { return root_; }

 private:
  // An object being written: its temps' names are derived from its path and a random token.
  // A batch holds up to 20,000 objects (and one more batch is published in the background):
  // keeping the two temp paths besides the object's took ~600 bytes per object, this ~180.
  // Plain strings: a std::filesystem::path keeps a list of its components besides the text.
  struct TempObject {
    std::string path;  // where the object goes
    uint64_t token = 0;
    bool batched = false;
  };
  class Writer;
  class Reader;

  Result<std::filesystem::path> object_path(const std::string& key) const;
  /// Chooses the temp names of a new object of `key` (batched temps in the hidden temp dirs).
  Result<TempObject> plan_temps(const std::string& key, const Metadata& metadata, bool batched);
  std::string data_tmp(const TempObject& object) const;
  std::string sidecar_tmp(const TempObject& object) const;
  std::string temp_dir(const TempObject& object) const;
  using Batch = std::map<std::string, uint64_t>;  // the token of each batched object, by path
  static TempObject pending_object(const Batch::value_type& entry) { return {entry.first, entry.second, true}; }
  void remove_temps(const TempObject& object, std::string_view why) const;
  /// Hands a complete, unsynced object to the next flush(); a full batch is published in the
  /// background (the error of an earlier background batch is returned here or by flush()).
  Status add_pending(const TempObject& object, uint64_t bytes);
  Batch take_pending_locked();
  Status publish_in_background(Batch batch);
  Status wait_for_background_locked();
  /// One syncfs, then every object of `batch` renamed into place and its directories synced.
  Status publish_batch(const Batch& batch);
  Status put_object(const std::string& key, std::string_view data, const Metadata& metadata, bool batched);
  /// Renames the temps into place, new sidecar last. A put() first removes the old sidecar (a
  /// reader then finds nothing, not new data with an old sidecar); a batched blob skips that
  /// lookup in the big data directory: blobs are put only where storage lacked them, and a
  /// reader that meets the rare overwrite sees a SHA-256 mismatch and reads again.
  Status publish(const TempObject& object);
  /// Drops a batched-but-unflushed object of `path` (its temps are removed); false if none.
  bool drop_pending(const std::filesystem::path& path);
  Result<StoredObject> read_once(const std::string& key, const std::filesystem::path& path,
                                 bool& hash_mismatch);
  std::mutex& key_mutex(const std::filesystem::path& path);

  std::filesystem::path root_;
  std::optional<Error> config_error_;
  BatchLimits limits_;
  std::array<std::mutex, 64> key_mutexes_;

  std::mutex pending_mutex_;  // guards pending_*
  Batch pending_;
  uint64_t pending_bytes_ = 0;
  std::mutex background_mutex_;  // guards background_ and serialises publishing batches
  std::future<Status> background_;
  std::atomic<bool> publishing_{false};  // a background publish runs (read without the mutex)
};

}  // namespace astacus::storage
