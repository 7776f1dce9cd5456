#pragma once
// A small blocking HTTP/1.1 client (cpp-httplib) for talking to astacus servers and nodes.
// Every call has a timeout; network failures become Unavailable errors naming the URL.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace astacus::http {

struct Response {
  int status = 0;
  std::string body;
  std::string content_type;

  bool ok() const { return status >= 200 && status < 300; }
  /// Parses the body as JSON; InvalidArgument naming `url` if it is not JSON.
  Result<nlohmann::json> json(const std::string& url) const;
};

struct RequestOptions {
  std::chrono::milliseconds timeout{10000};
  std::optional<std::string> body;  // sent as-is; content type application/json
  /// When set, the response body goes here as it arrives (Response::body stays empty), so a big
  /// answer is never held whole. Returning false aborts the request (an Unavailable error).
  std::function<bool(std::string_view)> on_body;
};

/// Sends METHOD to an absolute URL ("http://host:port/path?query"). Only transport failures
/// are errors (Unavailable, retryable); any HTTP status is returned as a Response.
Result<Response> request(const std::string& method, const std::string& url,
                         const RequestOptions& options = {});

/// Splits "http://host:port/base/path" into scheme+authority and the path ("/base/path").
struct ParsedUrl {
  std::string origin;  // "http://host:port"
  std::string path;    // "/..." (may be "" -> "/")
};
Result<ParsedUrl> parse_url(const std::string& url);

/// Percent-encodes a query-string value.
std::string url_encode(const std::string& value);

}  // namespace astacus::http
