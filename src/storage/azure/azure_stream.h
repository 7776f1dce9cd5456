#pragma once
// Streaming upload and download of one block blob (AzureBackend::open_writer / open_reader), so
// memory does not grow with the object:
//   writer: bytes fill a block of `block_size`. An object that ends within `single_put_limit`
//     is one Put Blob at commit(), as put() stores it (full blocks are held back until the
//     object outgrows that limit). A larger one is staged with Put Block as each block fills,
//     up to `blocks_in_flight` at once, and commit() sends the last block and Put Block List
//     (with the metadata). Memory: about (blocks_in_flight + 1) × block_size, plus up to
//     single_put_limit while the object may still be one Put Blob.
//     The size is not known in advance, so blocks cannot grow as in put(): an object longer
//     than max_blocks × block_size fails (InvalidArgument naming the blob) before the block
//     that would exceed the limit is sent.
//     Staged blocks are invisible until Put Block List and Azure discards uncommitted blocks by
//     itself (after a week), so a failed or dropped writer sends nothing to clean up: there is
//     no abort request as for S3 multipart uploads.
//   reader: Get Blob Properties (metadata, size, ETag) by the caller, then ranged Get Blob
//     requests (x-ms-range) of up to `chunk_size` bytes as read() needs them, pinned to the
//     version first seen: If-Match (412 → Conflict), and each answer's ETag and total size are
//     compared for servers that would ignore If-Match. A changed blob is Conflict naming it, a
//     removed one NotFound.
//     Memory: one chunk.
// One writer or reader per blob, used by one thread at a time (the writer runs its Put Block
// requests on threads of its own). The Client must outlive them.

#include <cstddef>
#include <memory>
#include <string>

#include "base/result.h"
#include "storage/azure/azure_client.h"
#include "storage/azure/azure_upload.h"
#include "storage/backend.h"

namespace astacus::storage::azure {

struct StreamLimits {
  size_t single_put_limit = size_t{4} << 20;
  size_t block_size = size_t{4} << 20;
  int blocks_in_flight = 4;         // Put Block requests running at once
  size_t max_blocks = kMaxBlocks;  // Azure's limit (tests lower it)
};

/// A writer of block blob `blob` stored with `meta_headers` (x-ms-meta-*), as described above.
/// Sends nothing before the object outgrows single_put_limit or commit() is called.
std::unique_ptr<ObjectWriter> make_block_writer(const Client& client, std::string blob, Pairs meta_headers,
                                                const StreamLimits& limits);

/// A reader of blob `blob` whose Get Blob Properties answer was `properties` (size and ETag are
/// taken from it) and whose metadata is `metadata`. Reads ranges of up to `chunk_size` bytes.
/// Unavailable when `properties` has no valid Content-Length.
Result<std::unique_ptr<ObjectReader>> make_range_reader(const Client& client, std::string blob,
                                                        const Response& properties, Metadata metadata,
                                                        size_t chunk_size);

}  // namespace astacus::storage::azure
