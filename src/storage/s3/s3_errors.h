#pragma once
// Turns S3 answers and transport failures into Errors that name the site, bucket and key, say
// what S3 said, point at the config key to check, and are classified for retries:
//   5xx, SlowDown, RequestTimeout, InternalError, connection errors -> Unavailable, retryable
//   timeouts                                                       -> Timeout, retryable
//   404 / NoSuchKey                                                -> NotFound
//   412 / PreconditionFailed (If-Match of a read)                  -> Conflict
//   NoSuchBucket                                                   -> InvalidArgument (bucket_name)
//   403, InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied   -> Forbidden (credentials)
//   other 3xx/4xx                                                  -> InvalidArgument
// Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::storage::s3 {

/// What was being done, for messages.
struct RequestContext {
  std::string_view site;
  std::string_view bucket;
  std::string_view description;  // S3Backend::describe()
  std::string_view method;       // "PUT", ...
  std::string_view key;          // full object key ("" for bucket requests)
};

/// An HTTP answer with status >= 300 (or a 200 carrying an <Error> body). `body` may be empty
/// (HEAD) or an S3 <Error> document.
Error response_error(const RequestContext& ctx, int status, std::string_view body);

/// A libcurl failure (CURLcode `curl_code`, with its message).
Error transport_error(const RequestContext& ctx, int curl_code, std::string_view curl_message);

}  // namespace astacus::storage::s3
