#pragma once
// One signed S3 HTTP request at a time over libcurl: builds the URL (path or virtual-hosted
// style), signs it (SigV4, payload hash of the whole body), sends it with the site's connect and
// read timeouts and a caller-given deadline, and returns the status, headers and body.
// No retries and no interpretation of statuses here (see retry.h, s3_errors.h).
// Thread safety: send() may be called from many threads at once; each call leases its own
// curl handle from a pool sized to the expected concurrency.

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "storage/s3/curl_pool.h"
#include "storage/s3/retry.h"
#include "storage/s3/s3_config.h"
#include "storage/s3/s3_errors.h"
#include "storage/s3/sigv4.h"

namespace astacus::storage::s3 {

struct Request {
  std::string method;     // GET HEAD PUT POST DELETE
  std::string key;        // full object key (prefix included); "" = the bucket itself
  QueryParams query;      // raw names/values
  Headers headers;        // extra headers, all signed (x-amz-meta-*, content-type, ...)
  std::string_view body;  // must outlive send()
};

struct Response {
  int status = 0;
  Headers headers;  // names lower-cased, in arrival order (final response only)
  std::string body;

  /// Value of header `name` (lower-case), or nullptr.
  const std::string* header(std::string_view name) const;
};

class Client {
 public:
  /// Keeps up to `max_idle_handles` idle connections' handles.
  Client(S3Settings settings, size_t max_idle_handles);

  /// One attempt, finished by `deadline` at the latest. Transport failures and timeouts are
  /// errors (transport_error()); every HTTP status, including 4xx/5xx, is a Response.
  Result<Response> send(const Request& request, Clock::time_point deadline);

  /// Context for messages about `request`.
  RequestContext context(const Request& request) const;

  const S3Settings& settings() const { return settings_; }
  /// "s3 bucket 'b' at http://127.0.0.1:9000 (site 'x')"
  const std::string& describe() const { return description_; }

 private:
  S3Settings settings_;
  std::string description_;
  CurlPool pool_;
};

}  // namespace astacus::storage::s3
