#pragma once
// Azure Storage "Shared Key" request signing (Blob service, version 2009-09-19 and later):
//   Authorization: SharedKey <account>:Base64(HMAC-SHA256(Base64Decode(key), StringToSign))
// StringToSign = VERB \n Content-Encoding \n Content-Language \n Content-Length (empty if 0) \n
//   Content-MD5 \n Content-Type \n Date \n If-Modified-Since \n If-Match \n If-None-Match \n
//   If-Unmodified-Since \n Range \n CanonicalizedHeaders CanonicalizedResource
// CanonicalizedHeaders: every x-ms-* header, name lower-cased, sorted by name (byte order),
//   "name:value\n" with the value trimmed and runs of whitespace folded to one space.
// CanonicalizedResource: "/<account><encoded URI path>" then, per query parameter sorted by
//   lower-cased name, "\n<name>:<decoded value>".
// Pure functions; thread-safe.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace astacus::storage::azure {

using Pairs = std::vector<std::pair<std::string, std::string>>;

/// What the signature covers. `path` is the URI path exactly as sent (percent-encoded);
/// `query` holds decoded values; `headers` are the headers sent besides Content-Length, which
/// is given as `content_length` (0 = none or empty body).
struct SignableRequest {
  std::string method;
  std::string path;
  Pairs query;
  Pairs headers;
  size_t content_length = 0;
};

/// The StringToSign above.
std::string string_to_sign(std::string_view account, const SignableRequest& request);

/// Base64(HMAC-SHA256(key, data)); `key` is raw bytes (the account key after base64 decoding).
std::string hmac_sha256_base64(std::string_view key, std::string_view data);

/// "SharedKey <account>:<signature>" for `request`.
std::string shared_key_authorization(std::string_view account, std::string_view key,
                                     const SignableRequest& request);

/// RFC 1123 date as Azure wants in x-ms-date: "Sun, 11 Oct 2009 21:49:13 GMT".
std::string rfc1123_date(std::chrono::system_clock::time_point t);

}  // namespace astacus::storage::azure
