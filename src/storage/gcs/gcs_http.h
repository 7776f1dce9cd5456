#pragma once
// One HTTP exchange over libcurl for the GCS client and the token source: the shared transport
// of ../curl_util.h (connect timeout, low-speed (read) timeout, an absolute deadline,
// proxy_info, one reused easy handle per thread) with GCS's transport errors.
// Thread safety: send_once may run on many threads at once.

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"
#include "storage/curl_util.h"
#include "storage/gcs/gcs_errors.h"

namespace astacus::storage::gcs {

using Clock = std::chrono::steady_clock;
using storage::HttpRequest;
using storage::HttpResponse;
using storage::HttpSettings;

/// The URL without its query (for messages: session URIs and tokens stay out of logs).
std::string url_for_messages(std::string_view url);

/// One attempt that ends by `deadline`. Any HTTP status is a response; transfer failures are
/// errors (transport_error with `context`).
Result<HttpResponse> send_once(const HttpSettings& settings, const HttpRequest& request,
                               Clock::time_point deadline, const ErrorContext& context);

}  // namespace astacus::storage::gcs
