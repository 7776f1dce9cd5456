#pragma once
// storage_type: s3 — see README.md in this folder. Objects live at <prefix>/<key> in the bucket
// with rohmu metadata as x-amz-meta-* headers (storage-formats.md §2.4).
// Thread safety: the backend may be shared by any number of threads.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "config/types.h"
#include "storage/backend.h"
#include "storage/s3/retry.h"

namespace astacus::storage {

/// Knobs that are not config keys (tests shrink them).
struct S3BackendOptions {
  /// Objects larger than this go multipart, in parts of this size; unset = the config's
  /// max(segment_size, min_multipart_chunk_size), else 8 MiB. Not validated (tests may go below
  /// S3's 5 MiB minimum at their own risk; s3rver does not enforce it).
  std::optional<int64_t> part_size;
  int upload_threads = 4;      // parallel UploadPart requests per put()
  int list_page_size = 1000;   // ListObjectsV2 max-keys
  size_t max_idle_connections = 16;
  s3::RetryPolicy retry;
};

/// Builds the backend of site `site`; errors name the site and the config key at fault.
/// Nothing is sent to S3 until the first operation.
Result<std::unique_ptr<Backend>> make_s3_backend(const std::string& site,
                                                  const config::S3StorageConfig& config);
Result<std::unique_ptr<Backend>> make_s3_backend(const std::string& site,
                                                  const config::S3StorageConfig& config,
                                                  const S3BackendOptions& options);

}  // namespace astacus::storage
