#pragma once
// storage_type: azure — see README.md in this folder.
// Objects are block blobs named <prefix><key> in container `bucket_name`; metadata names are
// stored with '-' replaced by '_' and read back with '_' replaced by '-' (rohmu's mapping).
// A missing container is an error (it is never created).
// Thread safety: AzureBackend is safe to share between threads.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "base/result.h"
#include "config/types.h"
#include "storage/azure/azure_client.h"
#include "storage/azure/azure_upload.h"
#include "storage/backend.h"

namespace astacus::storage {

/// Tuning knobs; the defaults are for production, tests make them small.
struct AzureBackendOptions {
  size_t single_put_limit = size_t{4} << 20;  // larger objects: Put Block x N + Put Block List
  // put() grows it when an object would need more than max_blocks blocks; a streamed object
  // (open_writer) cannot, so it may hold at most max_blocks × block_size (195 GiB by default).
  size_t block_size = size_t{4} << 20;
  int block_threads = 4;                      // Put Block requests in flight per object
  size_t max_blocks = azure::kMaxBlocks;      // Azure's limit per blob; tests lower it, never above
  int list_page_size = 0;                     // List Blobs maxresults; 0 = server default (5000)
  azure::RetryPolicy retry;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::seconds read_timeout{60};
};

class AzureBackend : public Backend {
 public:
  /// `prefix` as configured (normalized here). Performs no request.
  AzureBackend(std::string site, const std::string& prefix, azure::ClientOptions client,
               AzureBackendOptions options);

  Status put(const std::string& key, std::string_view data, const Metadata& metadata) override;
  /// Streams the object: one Put Blob when it ends within single_put_limit, else Put Block as
  /// each block fills (block_threads in flight) and Put Block List at commit (azure_stream.h).
  /// `batched` changes nothing: Azure has no durability work to batch. Writers and readers use
  /// this backend's client: the backend must outlive them.
  Result<std::unique_ptr<ObjectWriter>> open_writer(const std::string& key, const Metadata& metadata,
                                                    bool batched) override;
  /// Get Blob Properties, then ranged Get Blob of up to block_size bytes as read() needs them,
  /// pinned to the ETag first seen (Conflict when the blob changes). NotFound when absent.
  Result<std::unique_ptr<ObjectReader>> open_reader(const std::string& key) override;
  Result<StoredObject> get(const std::string& key) override;
  Result<std::string> get_range(const std::string& key, uint64_t offset, uint64_t length) override;
  Result<bool> exists(const std::string& key) override;
  Status remove(const std::string& key) override;
  /// Blobs directly under `dir` (prefix + dir + '/', delimiter '/'), every page followed.
  Result<std::vector<std::string>> list(const std::string& dir) override;
  /// "azure container 'c' at http://127.0.0.1:10000/devstoreaccount1 (site 'x')".
  std::string describe() const override;

  /// The underlying REST client (tests use it for raw requests).
  const azure::Client& client() const { return client_; }
  /// The blob name of `key`.
  std::string blob_name(const std::string& key) const;

 private:
  Result<std::string> checked_blob_name(const std::string& key) const;
  Status put_blocks(const std::string& blob, std::string_view data, const azure::Pairs& meta_headers);
  /// options_.max_blocks within 1..Azure's limit.
  size_t block_limit() const;

  std::string site_;
  std::string prefix_;  // normalized: "" or ending in '/'
  azure::Client client_;
  AzureBackendOptions options_;
};

/// Builds the backend of site `site`; errors name the site and the config key at fault.
Result<std::unique_ptr<Backend>> make_azure_backend(const std::string& site,
                                                    const config::AzureStorageConfig& config);

/// Same, with explicit tuning (tests: small thresholds, page sizes, deadlines).
Result<std::unique_ptr<AzureBackend>> make_azure_backend(const std::string& site,
                                                         const config::AzureStorageConfig& config,
                                                         const AzureBackendOptions& options);

}  // namespace astacus::storage
