#pragma once
// Validated settings of one S3 site, resolved from its config (storage-formats.md §2.4):
// endpoint (custom host+port, or AWS for the region), addressing style, credentials, timeouts,
// part size, and the rohmu key mapping (prefix + key). Pure functions; thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "config/types.h"
#include "storage/s3/sigv4.h"

namespace astacus::storage::s3 {

inline constexpr int64_t kMiB = 1024 * 1024;
inline constexpr int64_t kDefaultPartSize = 8 * kMiB;
inline constexpr int64_t kMinPartSize = 5 * kMiB;  // S3's minimum for every part but the last
inline constexpr int64_t kMaxParts = 10000;

struct Endpoint {
  std::string scheme = "https";
  std::string host;         // without the bucket; IPv6 literals in brackets
  int port = 0;             // 0 = the scheme's default
  bool virtual_host = false;  // bucket as a sub-domain instead of the first path segment

  /// "http://127.0.0.1:9000" (never includes the bucket).
  std::string origin() const;
  /// The Host header for `bucket`: "[bucket.]host[:port]".
  std::string host_header(std::string_view bucket) const;
  /// Encoded request path: "/bucket/a/b%2Bc" (path style) or "/a/b%2Bc"; "/bucket" or "/" when
  /// `key` is empty (bucket requests).
  std::string path(std::string_view bucket, std::string_view key) const;
};

struct S3Settings {
  std::string site;
  std::string bucket;
  std::string region;
  std::string prefix;  // normalised: "" or "a/b/"
  Endpoint endpoint;
  Credentials credentials;
  bool verify_tls = true;
  std::string ca_path;  // "" = system default
  std::optional<config::ProxyInfo> proxy;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds read_timeout{60000};  // longest silence while transferring
  int64_t part_size = kDefaultPartSize;           // objects larger than this go multipart
  bool server_side_encryption = false;            // `encrypted`: x-amz-server-side-encryption
  std::string user_agent;
};

/// Validates `config` of site `site`; errors name object_storage.storages.<site>.<key>.
/// Credentials come from the config, else from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
/// AWS_SESSION_TOKEN in the environment.
Result<S3Settings> resolve_settings(const std::string& site, const config::S3StorageConfig& config);

/// rohmu's prefix normalisation for S3: leading '/' stripped, "" stays "", else ends with '/'.
std::string normalize_prefix(std::string_view prefix);

/// prefix + key with leading and trailing '/' stripped (rohmu format_key_for_backend).
std::string object_key(std::string_view prefix, std::string_view key);

}  // namespace astacus::storage::s3
