#pragma once
// One HTTP exchange over libcurl for the GCS client and the token source: connect timeout,
// low-speed (read) timeout, an absolute deadline, proxy_info, and one reused easy handle per
// thread (so a thread's requests to one host reuse a connection).
// Thread safety: send_once may run on many threads at once.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "config/types.h"
#include "storage/gcs/gcs_errors.h"

namespace astacus::storage::gcs {

using Clock = std::chrono::steady_clock;
using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpSettings {
  std::optional<config::ProxyInfo> proxy;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::seconds read_timeout{60};  // abort an attempt when no byte moved for this long
};

struct HttpRequest {
  std::string method;  // GET POST PUT DELETE
  std::string url;
  Headers headers;
  std::string_view body;  // POST/PUT body, sent from this memory (must outlive the call)
};

struct HttpResponse {
  int status = 0;
  Headers headers;  // of the final response
  std::string body;

  /// Value of header `name` (case-insensitive); "" when absent.
  std::string header(std::string_view name) const;
};

/// The URL without its query (for messages: session URIs and tokens stay out of logs).
std::string url_for_messages(std::string_view url);

/// One attempt that ends by `deadline`. Any HTTP status is a response; transfer failures are
/// errors (transport_error with `context`).
Result<HttpResponse> send_once(const HttpSettings& settings, const HttpRequest& request,
                               Clock::time_point deadline, const ErrorContext& context);

}  // namespace astacus::storage::gcs
