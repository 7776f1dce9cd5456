#pragma once
// Authorized GCS JSON API requests: every request carries "Authorization: Bearer <token>" from
// the site's TokenSource; call() retries retryable failures (gcs_retry.h) and turns non-2xx
// statuses into classified errors (gcs_errors.h). A 401 drops the cached token.
// Thread safety: a Client is immutable after construction apart from its TokenSource, which is
// thread-safe; send_once()/call() may run on many threads.

#include <memory>
#include <string>

#include "base/result.h"
#include "storage/gcs/gcs_http.h"
#include "storage/gcs/gcs_names.h"
#include "storage/gcs/gcs_retry.h"
#include "storage/gcs/gcs_token.h"

namespace astacus::storage::gcs {

struct ClientOptions {
  std::string site;      // config name, for messages
  std::string endpoint;  // "https://storage.googleapis.com", no trailing '/'
  std::string bucket;
  HttpSettings http;
  RetryPolicy retry;
};

class Client {
 public:
  Client(ClientOptions options, std::shared_ptr<TokenSource> tokens);

  const ClientOptions& options() const { return options_; }
  const Urls& urls() const { return urls_; }
  /// The message context of `operation` on `object` ("" = the bucket).
  ErrorContext context(std::string operation, std::string object, bool object_level) const;

  /// One authorized attempt that ends by `deadline`; any HTTP status is a response.
  Result<HttpResponse> send_once(const HttpRequest& request, Clock::time_point deadline,
                                 const ErrorContext& context) const;
  /// Sends with retries; a 2xx status is the response, anything else the classified error.
  Result<HttpResponse> call(const HttpRequest& request, const ErrorContext& context) const;

 private:
  ClientOptions options_;
  Urls urls_;
  std::shared_ptr<TokenSource> tokens_;
};

}  // namespace astacus::storage::gcs
