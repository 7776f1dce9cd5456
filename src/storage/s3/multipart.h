#pragma once
// Multipart upload of one in-memory object: CreateMultipartUpload (carrying the object's
// headers, i.e. metadata), UploadPart in parallel, CompleteMultipartUpload. Any failure aborts
// the upload (best effort), so a partial object never becomes visible.
// Thread-safe: uses its own threads and one leased connection per part in flight.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "storage/s3/retry.h"
#include "storage/s3/s3_client.h"

namespace astacus::storage::s3 {

struct PartPlan {
  int64_t part_size = 0;
  size_t parts = 0;
};

/// Parts for `size` bytes: `part_size` each (the last one shorter), enlarged if that would need
/// more than kMaxParts (10 000) parts. `size` > 0.
PartPlan plan_parts(uint64_t size, int64_t part_size);

/// S3's ETag of a completed multipart object (no quotes): hex MD5 of the concatenated binary
/// MD5s of the parts, then "-<parts>". `part_etags` are the parts' ETags (quoted or not);
/// "" when one is not a hex MD5.
std::string multipart_etag(const std::vector<std::string>& part_etags);

/// Uploads `data` as object `key` (full key) with `headers` (x-amz-meta-*, ...) using `threads`
/// parallel part uploads. Each request is retried per `policy`.
Status multipart_put(Client& client, const RetryPolicy& policy, const std::string& key, std::string_view data,
                     const Headers& headers, int64_t part_size, int threads);

}  // namespace astacus::storage::s3
