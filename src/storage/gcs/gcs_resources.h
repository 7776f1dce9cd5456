#pragma once
// The JSON shapes of the GCS JSON API that the backend reads and writes: the object resource
// sent to start an upload, object resources and objects.list pages read back, and GCS's
// crc32c field (base64 of the big-endian CRC-32C, also computed piece by piece). Pure functions;
// thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "storage/backend.h"

namespace astacus::storage::gcs {

/// {"name": name, "metadata": {...}} in the metadata's order. InvalidArgument (naming the
/// object) when a name or value is not valid UTF-8, which GCS cannot store.
Result<std::string> upload_resource(const std::string& name, const Metadata& metadata);

struct ObjectResource {
  std::string name;
  std::string generation;
  uint64_t size = 0;
  std::string crc32c;  // "" when the server sent none
  Metadata metadata;   // the "metadata" map (values as strings)
};

/// Parses an object resource; InvalidArgument when it is not one.
Result<ObjectResource> parse_object(std::string_view body);

struct ListPage {
  std::vector<std::string> names;     // items[].name
  std::vector<std::string> prefixes;  // "directories" (with delimiter)
  std::string next_page_token;        // "" on the last page
};

/// Parses an objects.list answer; InvalidArgument when it is not one.
Result<ListPage> parse_list_page(std::string_view body);

/// GCS's crc32c of `data`: base64 of the CRC-32C in big-endian byte order.
std::string crc32c_base64(std::string_view data);

/// The same for a CRC-32C value (from crc32c_extend()).
std::string crc32c_value_base64(uint32_t crc);

/// The CRC-32C of A followed by `data`, given `crc` = the CRC-32C of A (0 for nothing): a
/// stream's crc32c computed piece by piece, without holding its bytes.
uint32_t crc32c_extend(uint32_t crc, std::string_view data);

}  // namespace astacus::storage::gcs
