#pragma once
// storage_type: google — see README.md in this folder.
// Objects are named <prefix><key> in bucket `bucket_name` (rohmu's GCS naming: the leading '/'
// is kept), with the Backend metadata as the object resource's `metadata` map. Uploads are
// resumable, so an object is visible only once complete. A missing bucket is an error (it is
// never created). Thread safety: GcsBackend is safe to share between threads.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "base/result.h"
#include "config/types.h"
#include "storage/backend.h"
#include "storage/gcs/gcs_client.h"
#include "storage/gcs/gcs_resources.h"

namespace astacus::storage {

/// Tuning knobs; the defaults are for production, tests make them small.
struct GcsBackendOptions {
  size_t chunk_size = size_t{8} << 20;  // resumable upload chunk, rounded down to 256 KiB multiples
  int list_page_size = 0;               // objects.list maxResults; 0 = server default (1000)
  gcs::RetryPolicy retry;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::seconds read_timeout{60};
};

class GcsBackend : public Backend {
 public:
  /// `prefix` as configured (normalized here). Performs no request.
  GcsBackend(const std::string& prefix, gcs::Client client, GcsBackendOptions options);

  Status put(const std::string& key, std::string_view data, const Metadata& metadata) override;
  /// Streams the object in chunks of the chunk size (gcs_stream.h): at most about two chunks in
  /// memory. `batched` has no meaning for GCS (an object is visible once committed).
  Result<std::unique_ptr<ObjectWriter>> open_writer(const std::string& key, const Metadata& metadata,
                                                    bool batched) override;
  /// The object resource, then ranged media GETs of up to a chunk pinned to its generation.
  Result<std::unique_ptr<ObjectReader>> open_reader(const std::string& key) override;
  /// Object resource first (metadata, generation), then the bytes of that generation.
  Result<StoredObject> get(const std::string& key) override;
  Result<std::string> get_range(const std::string& key, uint64_t offset, uint64_t length) override;
  Result<bool> exists(const std::string& key) override;
  Status remove(const std::string& key) override;
  /// Objects directly under `dir` (prefix + dir + '/', delimiter '/'), every page followed.
  Result<std::vector<std::string>> list(const std::string& dir) override;
  /// "gcs bucket 'b' at https://storage.googleapis.com (site 'x')".
  std::string describe() const override;

  /// The object name of `key`.
  std::string object_name(const std::string& key) const;
  const gcs::Client& client() const { return client_; }
  const GcsBackendOptions& options() const { return options_; }

 private:
  Result<std::string> checked_name(const std::string& key) const;
  Result<gcs::ObjectResource> resource(const std::string& name) const;
  Result<std::string> media(const gcs::ObjectResource& object) const;

  std::string prefix_;  // normalized: "" or ending in '/'
  gcs::Client client_;
  GcsBackendOptions options_;
};

/// Builds the backend of site `site`; errors name the site and the config key at fault
/// (bucket_name, credentials / credential_file and their fields, endpoint).
Result<std::unique_ptr<Backend>> make_gcs_backend(const std::string& site,
                                                  const config::GoogleStorageConfig& config);

/// Same, with explicit tuning (tests: small chunks, page sizes, deadlines).
Result<std::unique_ptr<GcsBackend>> make_gcs_backend(const std::string& site,
                                                     const config::GoogleStorageConfig& config,
                                                     const GcsBackendOptions& options);

}  // namespace astacus::storage
