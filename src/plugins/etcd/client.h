#pragma once
// A small etcd v3 client over the JSON gateway: POST <url>/kv/range, kv/put, kv/deleterange with
// base64 keys and values (see wire.h). For plugins that keep cluster state in etcd (m3db) and
// reusable by any other.
//
// `url` is the gateway base including its API version path: "http://etcd:2379/v3" (etcd 3.4+)
// or ".../v3beta" (3.3, 3.4). A trailing '/' is ignored.
//
// Deadlines: every HTTP request is bounded by ClientOptions::timeout (connect, send and receive
// each); a paged range makes one request per page. Nothing here retries: errors say whether a
// retry may help (`retryable`) and the coordinator's attempt loop decides.
//
// Errors name the etcd URL, the operation and the key or prefix:
//   Unavailable, retryable  etcd not reachable, timed out, or answered HTTP 5xx or 429
//   InvalidArgument         etcd refused the request (other 4xx), e.g. a compacted revision
//   Corruption              the answer is not what the gateway sends (not JSON, a key that is
//                           not base64, ...)
//
// Thread-safety: a Client is immutable after construction; concurrent calls are fine.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "plugins/etcd/wire.h"

namespace astacus::plugins::etcd {

struct ClientOptions {
  /// Bound of each HTTP request. Default 10 s.
  std::chrono::milliseconds timeout{10000};
  /// Keys per kv/range request; the pages of one range are read at the same revision, so the
  /// result is one consistent view. Default 1000.
  int64_t page_size = 1000;
};

class Client {
 public:
  explicit Client(std::string url, ClientOptions options = {});

  const std::string& url() const { return url_; }

  /// Every key in [key, range_end) in key order. An empty range is an empty list, not an error.
  /// `key` must not be empty (etcd refuses it; "\0" is the first key).
  Result<std::vector<KeyValue>> range(std::string_view key, std::string_view range_end) const;
  /// Every key starting with `prefix` ("" = every key).
  Result<std::vector<KeyValue>> get_prefix(std::string_view prefix) const;

  Status put(std::string_view key, std::string_view value) const;

  /// Deletes [key, range_end) (`key` not empty); returns how many keys were deleted.
  Result<int64_t> delete_range(std::string_view key, std::string_view range_end) const;
  /// Deletes every key starting with `prefix`; returns how many keys were deleted.
  Result<int64_t> delete_prefix(std::string_view prefix) const;

 private:
  /// POSTs `body` to <url>/<path>; returns the answer's JSON. `what` names the keys concerned.
  Result<nlohmann::json> call(const std::string& path, const nlohmann::json& body,
                              const std::string& what) const;
  Result<std::vector<KeyValue>> read_range(std::string_view key, std::string_view range_end,
                                           const std::string& what) const;
  Result<int64_t> delete_keys(std::string_view key, std::string_view range_end,
                              const std::string& what) const;

  std::string url_;
  ClientOptions options_;
};

}  // namespace astacus::plugins::etcd
