#pragma once
// The JSON shapes of the etcd v3 gateway (grpc-gateway over etcdserverpb), as pure functions so
// they can be tested without a server. Keys and values travel base64 encoded; 64-bit integers
// arrive as JSON strings ("revision": "12"); fields with default values (an empty `kvs` list,
// an empty value, `more: false`, `deleted: 0`) are omitted by the gateway.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace astacus::plugins::etcd {

/// One etcd key and its value, both raw bytes.
struct KeyValue {
  std::string key;
  std::string value;
  bool operator==(const KeyValue&) const = default;
};

/// The end of the range holding every key that starts with `prefix` (etcd's GetPrefixRangeEnd):
/// the prefix up to its last byte below 0xff, that byte incremented. "\0" (= to the end of the
/// keyspace) when there is no such byte, e.g. for the empty prefix (every key).
std::string prefix_range_end(std::string_view prefix);

/// Key bytes for messages: printable ASCII as is, anything else as \xNN; cut after 200 bytes.
std::string printable_key(std::string_view key);

namespace wire {

/// Body of POST kv/range. `limit` 0 = no limit; `revision` 0 = the newest revision.
nlohmann::json range_request(std::string_view key, std::string_view range_end, int64_t limit,
                             int64_t revision);

/// One kv/range answer.
struct RangePage {
  std::vector<KeyValue> kvs;
  bool more = false;      // more keys in the range than `limit`
  int64_t revision = 0;   // header.revision: the store revision the answer was read at
};

/// Parses a kv/range answer. A reply without "kvs" is an empty range. Corruption (naming the
/// field, e.g. "kvs[2].key is not base64") when the JSON is not the gateway's shape.
Result<RangePage> parse_range_response(const nlohmann::json& body);

nlohmann::json put_request(std::string_view key, std::string_view value);
nlohmann::json delete_range_request(std::string_view key, std::string_view range_end);

/// Parses a kv/put answer: any JSON object (its header is not needed).
Status parse_put_response(const nlohmann::json& body);

/// Parses a kv/deleterange answer; returns the number of keys deleted (0 when omitted).
Result<int64_t> parse_delete_range_response(const nlohmann::json& body);

/// The gateway's error body {"error": .., "code": .., "message": ..} as one line; any other
/// body as its first 200 bytes.
std::string error_message(std::string_view body);

}  // namespace wire
}  // namespace astacus::plugins::etcd
