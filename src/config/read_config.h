#pragma once
// Readers from a JSON tree (document.h) to the structs of types.h, one per struct, with the
// per-struct checks (enums, required keys, default_storage names a storage, node.root exists,
// link defaults). Used by parse.cc; exposed for tests and for readers of sub-configs.

#include <string>

#include "config/field_reader.h"
#include "config/types.h"

namespace astacus::config {

/// Worker threads for an unset `node.parallel` key: hardware_concurrency() clamped to [1, 8].
int default_parallelism();

Status read_value(const Json& v, const std::string& path, GlobalConfig& out);
Status read_value(const Json& v, const std::string& path, UvicornConfig& out);
Status read_value(const Json& v, const std::string& path, StatsdConfig& out);
Status read_value(const Json& v, const std::string& path, CoordinatorConfig& out);
Status read_value(const Json& v, const std::string& path, CoordinatorNode& out);
Status read_value(const Json& v, const std::string& path, RetentionConfig& out);
Status read_value(const Json& v, const std::string& path, PollConfig& out);
Status read_value(const Json& v, const std::string& path, NodeConfig& out);
Status read_value(const Json& v, const std::string& path, ParallelConfig& out);

Status read_value(const Json& v, const std::string& path, ObjectStorageConfig& out);
Status read_value(const Json& v, const std::string& path, CompressionConfig& out);
Status read_value(const Json& v, const std::string& path, EncryptionKey& out);
/// Dispatches on `storage_type` (local|s3|azure|google).
Status read_value(const Json& v, const std::string& path, StorageConfig& out);
Status read_value(const Json& v, const std::string& path, ProxyInfo& out);

}  // namespace astacus::config
