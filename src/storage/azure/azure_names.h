#pragma once
// Where a site's blobs are: the Blob service endpoint of a config, blob names from keys
// (rohmu's format_key_for_backend, storage-formats.md §2.2) and URI encoding.
// Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "config/types.h"

namespace astacus::storage::azure {

/// The Blob service endpoint split for signing: requests go to
/// origin + base_path + "/<container>[/<blob>]".
struct Endpoint {
  std::string origin;     // "http://127.0.0.1:10000" or "https://acct.blob.core.windows.net"
  std::string base_path;  // "/<account>" with a custom host+port (path-style), else ""

  /// origin + base_path, e.g. "http://127.0.0.1:10000/devstoreaccount1".
  std::string url() const { return origin + base_path; }
};

/// host+port set: <is_secure ? https : http>://host:port/<account_name>; otherwise
/// <scheme>://<account_name>.blob.<suffix> with suffix core.windows.net (public, default),
/// core.cloudapi.de (germany) or core.chinacloudapi.cn (china).
Endpoint endpoint_of(const config::AzureStorageConfig& config);

/// rohmu's prefix: leading '/' stripped, then a trailing '/' added unless empty.
std::string normalize_prefix(std::string_view prefix);

/// Blob name of `key`: normalized prefix + key, all trailing '/' and leading '/' stripped.
std::string blob_name(std::string_view normalized_prefix, std::string_view key);

/// List prefix for the objects under `dir`: normalized prefix + dir with exactly one trailing
/// '/' ensured (empty → "/"), leading '/' stripped ("" when listing the root of an empty prefix).
std::string list_prefix(std::string_view normalized_prefix, std::string_view dir);

/// Percent-encodes every byte except A-Z a-z 0-9 - . _ ~ (and '/' when `keep_slash`).
std::string uri_encode(std::string_view text, bool keep_slash);

}  // namespace astacus::storage::azure
