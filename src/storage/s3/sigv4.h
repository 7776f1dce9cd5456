#pragma once
// AWS Signature Version 4 for S3 (header-based auth), written against the AWS docs examples.
// Pure functions over strings; thread-safe.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace astacus::storage::s3 {

using QueryParams = std::vector<std::pair<std::string, std::string>>;
using Headers = std::vector<std::pair<std::string, std::string>>;

/// RFC 3986 percent-encoding as SigV4 wants it: A-Z a-z 0-9 '-' '_' '.' '~' are kept, every other
/// byte becomes %XX (upper-case hex); '/' is kept unless `encode_slash`. S3 object paths use
/// encode_slash=false (each segment encoded once), query names and values encode_slash=true.
std::string uri_encode(std::string_view s, bool encode_slash);

/// "a=1&b=x%2By&uploads=": names and values encoded, sorted by name then value. Used both as the
/// URL's query string and in the canonical request, so the two never differ.
std::string canonical_query(const QueryParams& query);

/// "20130524T000000Z" (UTC).
std::string amz_date(std::chrono::system_clock::time_point t);

/// Lowercase hex SHA-256, the x-amz-content-sha256 payload hash.
std::string payload_hash(std::string_view body);

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" = none
};

struct SigningRequest {
  std::string method;         // "GET", "PUT", ...
  std::string canonical_uri;  // already encoded path, e.g. "/bucket/json/a%2Bb"
  QueryParams query;          // raw (unencoded) names and values
  Headers headers;            // every header to sign, any case; must contain host and x-amz-date
  std::string payload_hash;   // hex SHA-256 of the body (or "UNSIGNED-PAYLOAD")
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // 64 hex chars
  std::string authorization;  // the Authorization header value
};

/// Signs `request`. `amz_date` is the x-amz-date value; its first 8 chars are the scope date.
Signature sign_v4(const SigningRequest& request, const Credentials& credentials, std::string_view region,
                  std::string_view amz_date, std::string_view service = "s3");

}  // namespace astacus::storage::s3
