#pragma once
// Multipart uploads: the steps of one upload (MultipartUpload: Create, UploadPart, Complete,
// Abort), shared by multipart_put() (one in-memory object, parts in parallel) and the streaming
// writer (object_stream.h, parts uploaded as they fill). Any failure aborts the upload (best
// effort), so a partial object never becomes visible.
// Thread-safe: uses one leased connection per request in flight.

#include <cstdint>
#include <functional>
#include <memory>
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

/// Lowercase hex MD5 of bytes given piece by piece (emulators' ETag of a completed multipart
/// object). One instance per object; finish_hex() once, after the last update().
class Md5Hasher {
 public:
  Md5Hasher();
  ~Md5Hasher();
  Md5Hasher(const Md5Hasher&) = delete;
  Md5Hasher& operator=(const Md5Hasher&) = delete;

  void update(std::string_view data);
  std::string finish_hex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// One multipart upload of object `key` (full key). Each request is retried per the policy.
/// upload_part() may run on several threads at once; the Client must outlive the upload.
class MultipartUpload {
 public:
  /// CreateMultipartUpload with the object's `headers` (x-amz-meta-*, server-side encryption).
  static Result<MultipartUpload> start(Client& client, const RetryPolicy& policy, const std::string& key,
                                       const Headers& headers);

  /// UploadPart `number` (1-based); returns the part's ETag.
  Result<std::string> upload_part(size_t number, std::string_view body) const;

  /// CompleteMultipartUpload of parts 1..etags.size(). When an attempt's answer was lost and
  /// the retry is refused, the object counts as stored if its ETag is S3's multipart ETag of
  /// `etags` or (emulators) `whole_md5_hex()`, the hex MD5 of the whole object.
  Status complete(const std::vector<std::string>& etags, const std::function<std::string()>& whole_md5_hex) const;

  /// AbortMultipartUpload, best effort: a failure is logged (parts linger until a lifecycle rule
  /// removes them).
  void abort() const;

 private:
  MultipartUpload(Client& client, const RetryPolicy& policy, std::string key, std::string id)
      : client_(&client), policy_(policy), key_(std::move(key)), id_(std::move(id)) {}

  bool holds_upload(const std::vector<std::string>& etags, const std::function<std::string()>& whole_md5_hex) const;

  Client* client_;
  RetryPolicy policy_;
  std::string key_;
  std::string id_;
};

/// Uploads `data` as object `key` (full key) with `headers` (x-amz-meta-*, ...) using `threads`
/// parallel part uploads. Each request is retried per `policy`.
Status multipart_put(Client& client, const RetryPolicy& policy, const std::string& key, std::string_view data,
                     const Headers& headers, int64_t part_size, int threads);

}  // namespace astacus::storage::s3
