#pragma once
// A minimal Azure Blob REST client over libcurl: builds the URL of a container/blob request,
// authorizes it (Shared Key signature, or a SAS token appended to the query), sends it with
// connect/read timeouts, and retries retryable failures (azure_errors.h) with exponential backoff
// and jitter, bounded by a number of attempts and a deadline per request.
// Each thread reuses one curl easy handle (and so its connections) for all its requests
// (the shared transport of ../curl_util.h).
// Thread safety: a Client is immutable after construction; call() may run on many threads.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "config/types.h"
#include "storage/azure/azure_names.h"
#include "storage/azure/shared_key_auth.h"
#include "storage/curl_util.h"

namespace astacus::storage::azure {

struct RetryPolicy {
  int max_attempts = 6;
  std::chrono::milliseconds initial_backoff{200};  // doubled per retry, +-50% jitter
  std::chrono::milliseconds max_backoff{10000};
  std::chrono::milliseconds deadline{300000};  // one request: every attempt and wait included
};

struct ClientOptions {
  std::string site;  // config name, for messages
  std::string account;
  std::string container;
  Endpoint endpoint;
  std::string account_key;  // raw key bytes (base64-decoded); used when sas_token is empty
  std::string sas_token;    // query string without the leading '?'
  std::optional<config::ProxyInfo> proxy;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::seconds read_timeout{60};  // abort an attempt when no byte moved for this long
  RetryPolicy retry;
  std::string api_version = "2021-08-06";  // x-ms-version
};

struct Request {
  std::string operation;  // REST operation name for messages, e.g. "Put Blob"
  std::string method;     // GET HEAD PUT DELETE
  std::string blob;       // blob name (not encoded); "" = the container itself
  Pairs query;            // decoded values, encoded when the URL is built
  Pairs headers;          // besides x-ms-date/x-ms-version/Authorization, which are added
  std::string_view body;  // PUT body, sent from this memory (must outlive the call)
};

/// status, headers of the final response (names as the server sent them), body; header(name).
using Response = HttpResponse;

class Client {
 public:
  explicit Client(ClientOptions options);

  const ClientOptions& options() const { return options_; }

  /// The full request URL (SAS token included).
  std::string url(const Request& request) const;

  /// One attempt that ends by `deadline`. Any HTTP status is a Response; only transfer failures
  /// are errors (azure_errors.h transport_error).
  Result<Response> send_once(const Request& request, std::chrono::steady_clock::time_point deadline) const;

  /// Sends with retries. A 2xx status is returned as the Response; any other status becomes the
  /// classified error (http_status_error), retried while retryable, attempts remain and the next
  /// try can start before the deadline. The last error says how many attempts were made.
  Result<Response> call(const Request& request) const;

 private:
  /// The percent-encoded URI path: base_path + "/<container>[/<blob>]" (what Shared Key signs).
  std::string path(const Request& request) const;

  ClientOptions options_;
  HttpSettings http_;  // proxy and timeouts of options_
};

}  // namespace astacus::storage::azure
