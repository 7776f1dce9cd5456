#pragma once
// Streaming upload and download of one S3 object (S3Backend::open_writer / open_reader), so
// memory does not grow with the object:
//   writer: bytes fill a part of `part_size`. An object that ends within one part is one plain
//     PUT at commit() (as put()). A longer one becomes a multipart upload, started when the
//     first part is full; each part is uploaded while the next ones fill, up to
//     `parts_in_flight` at once, so memory stays at most (parts_in_flight + 1) × part_size.
//     The size is not known in advance, so parts cannot grow as in plan_parts(): an object
//     longer than max_parts × part_size fails (InvalidArgument naming the key).
//   reader: HEAD (metadata, size, ETag), then ranged GETs of up to `chunk_size` bytes as read()
//     needs them, pinned to the version first seen (If-Match, and the answer's ETag and size
//     are compared for servers that ignore If-Match, such as s3rver): a replaced object is
//     Conflict naming the key. Memory: one chunk.
// One writer or reader per object, used by one thread at a time (the writer runs its part
// uploads on threads of its own).

#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "storage/backend.h"
#include "storage/s3/retry.h"
#include "storage/s3/s3_client.h"
#include "storage/s3/s3_config.h"

namespace astacus::storage::s3 {

struct StreamingLimits {
  int64_t part_size = kDefaultPartSize;
  int parts_in_flight = 4;        // UploadPart requests running at once
  int64_t max_parts = kMaxParts;  // S3's limit (tests lower it)
};

/// A writer of object `key` (full key) stored with `headers` (x-amz-meta-*, server-side
/// encryption), as described above. Sends nothing before the first part is full or commit().
/// Any failure aborts a started multipart upload, and so does dropping the writer uncommitted.
std::unique_ptr<ObjectWriter> make_streaming_writer(Client& client, const RetryPolicy& policy, std::string key,
                                                    Headers headers, const StreamingLimits& limits);

/// A reader of object `key` (full key) whose HEAD answer was `head` (size and ETag are taken
/// from it) and whose metadata is `metadata`. Reads ranges of up to `chunk_size` bytes.
Result<std::unique_ptr<ObjectReader>> make_range_reader(Client& client, const RetryPolicy& policy, std::string key,
                                                        const Response& head, Metadata metadata,
                                                        int64_t chunk_size);

}  // namespace astacus::storage::s3
