// Authorized, retried GCS JSON API requests.
#include "storage/gcs/gcs_client.h"

namespace astacus::storage::gcs {

Client::Client(ClientOptions options, std::shared_ptr<TokenSource> tokens)
    : options_(std::move(options)), urls_{options_.endpoint, options_.bucket}, tokens_(std::move(tokens)) {}

ErrorContext Client::context(std::string operation, std::string object, bool object_level) const {
  return {options_.site, options_.bucket, std::move(object), std::move(operation), object_level};
}

Result<HttpResponse> Client::send_once(const HttpRequest& request, Clock::time_point deadline,
                                       const ErrorContext& context) const {
  std::string token = ASTACUS_TRY(tokens_->token(deadline));
  HttpRequest authorized = request;
  authorized.headers.emplace_back("Authorization", "Bearer " + token);
  HttpResponse response = ASTACUS_TRY(gcs::send_once(options_.http, authorized, deadline, context));
  if (response.status == 401) tokens_->invalidate();
  return response;
}

Result<HttpResponse> Client::call(const HttpRequest& request, const ErrorContext& context) const {
  return with_retries(options_.retry, [&](Clock::time_point deadline) -> Result<HttpResponse> {
    HttpResponse response = ASTACUS_TRY(send_once(request, deadline, context));
    if (response.status >= 200 && response.status < 300) return response;
    return make_error(http_status_error(context, response.status, server_message(response.body)));
  });
}

}  // namespace astacus::storage::gcs
