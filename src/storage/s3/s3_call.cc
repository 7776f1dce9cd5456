#include "storage/s3/s3_call.h"

#include <spdlog/spdlog.h>

#include "storage/s3/s3_xml.h"

namespace astacus::storage::s3 {

Result<Response> call(Client& client, const RetryPolicy& policy, const Request& request) {
  std::function<Result<Response>(Clock::time_point)> attempt =
      [&](Clock::time_point deadline) -> Result<Response> {
    Response response = ASTACUS_TRY(client.send(request, deadline));
    bool error_body = response.status < 300 && request.method == "POST" &&
                      response.body.find("<Error>") != std::string::npos && parse_error_body(response.body);
    if (response.status >= 300 || error_body) {
      return make_error(response_error(client.context(request), response.status, response.body));
    }
    return response;
  };
  auto log_retry = [&](const Error& error, int next) {
    spdlog::warn("{}; retrying (attempt {} of {})", error.message, next, policy.max_attempts);
  };
  return with_retries<Response>(policy, attempt, log_retry);
}

}  // namespace astacus::storage::s3
