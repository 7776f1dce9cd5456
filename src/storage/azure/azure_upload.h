#pragma once
// The requests that store a block blob, shared by AzureBackend::put() (a whole object in
// memory) and the streaming writer (azure_stream.h, blocks sent as they fill):
//   Put Blob        the whole object in one request (x-ms-blob-type: BlockBlob)
//   Put Block       one staged block, named by an id of BlockIds; invisible until committed
//   Put Block List  commits the staged blocks in order, with the blob's metadata
// Thread-safe: the functions only read the Client, which may be shared by many threads.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "storage/azure/azure_client.h"

namespace astacus::storage::azure {

/// Azure's limit of committed blocks per blob.
inline constexpr size_t kMaxBlocks = 50000;

/// The block ids of one upload: base64 of "<16 hex digits of a random nonce>-<6-digit index>".
/// Azure requires every id of a blob to have the same length (so the index is zero-padded,
/// enough for kMaxBlocks); the nonce, drawn per upload, keeps blocks staged by another upload
/// of the same blob (a failed or concurrent one) out of this upload's list.
class BlockIds {
 public:
  BlockIds();
  /// The id of block `index` (0-based).
  std::string id(size_t index) const;
  /// The ids of blocks 0..count-1, in order.
  std::vector<std::string> first(size_t count) const;

 private:
  std::string nonce_;
};

/// Put Blob of `data` as block blob `blob` with `meta_headers` (x-ms-meta-*).
Status put_blob(const Client& client, const std::string& blob, std::string_view data, const Pairs& meta_headers);

/// Put Block `block_id` of `blob`. The error is the client's (naming the blob and operation).
Status put_block(const Client& client, const std::string& blob, const std::string& block_id, std::string_view data);

/// Put Block List: `blob` becomes blocks `block_ids` in order, with `meta_headers`.
Status put_block_list(const Client& client, const std::string& blob, const std::vector<std::string>& block_ids,
                      const Pairs& meta_headers);

}  // namespace astacus::storage::azure
