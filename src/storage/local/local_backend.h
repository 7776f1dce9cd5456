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
//
// Keys are '/'-separated, relative, without "." / ".." / empty parts (surrounding '/' are
// stripped as rohmu does); nothing is ever read or written outside the root.
// Thread safety: safe to share. Concurrent put/remove of one key in one process are serialised;
// other processes writing the same key at the same time are not coordinated (as in rohmu).

#include <array>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "storage/backend.h"

namespace astacus::storage {

class LocalBackend : public Backend {
 public:
  /// `prefix` may be empty. An unsafe prefix (absolute after stripping, or with "..") makes every
  /// operation fail with InvalidArgument.
  LocalBackend(std::filesystem::path directory, std::string prefix);

  Status put(const std::string& key, std::string_view data, const Metadata& metadata) override;
  Result<StoredObject> get(const std::string& key) override;
  Result<bool> exists(const std::string& key) override;
  Status remove(const std::string& key) override;
  /// Lists `dir` ("" = the root). A missing directory lists as empty. Sub-directories are skipped.
  Result<std::vector<std::string>> list(const std::string& dir) override;
  std::string describe() const override;

  /// <directory>/<prefix>: where keys are resolved.
  const std::filesystem::path& root() const { return root_; }

 private:
  Result<std::filesystem::path> object_path(const std::string& key) const;
  Result<StoredObject> read_once(const std::string& key, const std::filesystem::path& path,
                                 bool& hash_mismatch);
  std::mutex& key_mutex(const std::filesystem::path& path);

  std::filesystem::path root_;
  std::optional<Error> config_error_;
  std::array<std::mutex, 64> key_mutexes_;
};

}  // namespace astacus::storage
