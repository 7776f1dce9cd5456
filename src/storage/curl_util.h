#pragma once
// The libcurl plumbing that the Azure and GCS clients share: one reused easy handle per thread,
// the request/response shapes, header-line parsing, and one HTTP exchange with connect/read
// timeouts, an absolute deadline and proxy_info. (S3 leases its handles from s3/curl_pool.h.)
// Thread safety: every function may run on many threads at once; the handle of
// thread_curl_handle() belongs to the calling thread.

#include <curl/curl.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "config/types.h"

namespace astacus::storage {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// ASCII case-insensitive equality (HTTP header names).
bool iequals_ascii(std::string_view a, std::string_view b);

struct HttpSettings {
  std::optional<config::ProxyInfo> proxy;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::seconds read_timeout{60};  // abort an attempt when no byte moved for this long
};

struct HttpRequest {
  std::string method;  // GET HEAD POST PUT DELETE
  std::string url;
  HttpHeaders headers;
  std::string_view body;  // POST/PUT body, sent from this memory (must outlive the call)
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // of the final response, names as the server sent them
  std::string body;

  /// Value of header `name` (case-insensitive); "" when absent.
  std::string header(std::string_view name) const;
};

/// Adds one raw header line as curl hands it over ("Name: value\r\n") to `headers`: trailing
/// CR/LF and the blanks before the value are dropped, lines without ':' (the empty last line)
/// are skipped, and a status line ("HTTP/...") starts a new response by clearing `headers`, so
/// they end as those of the final response (e.g. after "100 Continue"). True when a header
/// was added (it is then `headers.back()`).
bool add_header_line(std::string_view line, HttpHeaders& headers);

/// The calling thread's easy handle with its options reset (its connection cache stays, so a
/// thread's requests to one host reuse a connection); nullptr when curl_easy_init failed.
/// Runs ensure_curl_global_init() first.
CURL* thread_curl_handle();

/// Turns a failed transfer (a CURLcode and curl's message, maybe "") into the backend's Error.
using TransportErrorFn = std::function<Error(int curl_code, std::string_view detail)>;

/// One exchange on `curl` (from thread_curl_handle()) that ends by `deadline`: sends
/// `request.headers` plus an empty Expect (no 100-continue round trip), a POST/PUT body from
/// memory, HEAD without a body. Any HTTP status is a response; a failed transfer is
/// `transport_error(code, detail)`. With `reserve_body`, a Content-Length below 16 GiB
/// reserves the body up front.
Result<HttpResponse> perform_http(CURL* curl, const HttpSettings& settings, const HttpRequest& request,
                                  std::chrono::steady_clock::time_point deadline, bool reserve_body,
                                  const TransportErrorFn& transport_error);

}  // namespace astacus::storage
