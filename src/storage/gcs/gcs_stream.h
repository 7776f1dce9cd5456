#pragma once
// Streaming upload and download of one GCS object (GcsBackend::open_writer / open_reader), so
// memory does not grow with the object:
//   writer: bytes fill a chunk of `chunk_size` (rounded to 256 KiB multiples). An object that ends
//     within one chunk is uploaded at commit() exactly as put() does. A longer one opens a
//     resumable session (size unknown) once the first chunk is full and more bytes follow; each
//     full chunk then goes out ("Content-Range: bytes A-B/*") on a thread of its own while the
//     next one fills, the last one ("bytes A-B/TOTAL") at commit(). A chunk is kept until the
//     server has confirmed all of it, so a dropped connection resumes from what the server has
//     (gcs_upload.h). Memory: two chunks, the one in flight and the one filling. The final
//     object's size and crc32c (computed piece by piece) are checked. Any failure, and dropping
//     the writer uncommitted, cancels the session: no object appears. A session the server
//     forgot cannot be started over (its first bytes are gone): the writer fails.
//   reader: the object resource (size, metadata, generation, crc32c) is read when opening, then
//     media GETs with "Range: bytes=A-B" of up to `chunk_size` bytes as read() needs them,
//     pinned with ifGenerationMatch (and the answer's x-goog-generation): a replaced object is
//     Conflict naming the key, a removed one NotFound. The crc32c is checked by the read that
//     reaches the end (Corruption). Memory: one chunk.
// One writer or reader per object, used by one thread at a time.

#include <cstddef>
#include <memory>
#include <string>

#include "base/result.h"
#include "storage/backend.h"
#include "storage/gcs/gcs_client.h"
#include "storage/gcs/gcs_resources.h"

namespace astacus::storage::gcs {

/// A writer of object `name` with `metadata`, as described above. Sends nothing before the first
/// chunk is full or commit(). `client` must outlive the writer.
std::unique_ptr<ObjectWriter> make_streaming_writer(const Client& client, std::string name, Metadata metadata,
                                                    size_t chunk_size);

/// A reader of the object whose resource is `object` (its generation is pinned). Reads ranges of
/// up to `chunk_size` bytes. `client` must outlive the reader.
std::unique_ptr<ObjectReader> make_range_reader(const Client& client, ObjectResource object, size_t chunk_size);

}  // namespace astacus::storage::gcs
