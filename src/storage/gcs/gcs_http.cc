// libcurl transport of the GCS backend: ../curl_util.h's exchange with GCS transport errors.
#include "storage/gcs/gcs_http.h"

namespace astacus::storage::gcs {

std::string url_for_messages(std::string_view url) { return std::string(url.substr(0, url.find('?'))); }

Result<HttpResponse> send_once(const HttpSettings& settings, const HttpRequest& request,
                               Clock::time_point deadline, const ErrorContext& context) {
  CURL* curl = thread_curl_handle();
  if (!curl) return make_error(transport_error(context, url_for_messages(request.url), CURLE_FAILED_INIT, ""));
  return perform_http(curl, settings, request, deadline, /*reserve_body=*/false,
                      [&](int curl_code, std::string_view detail) {
                        return transport_error(context, url_for_messages(request.url), curl_code, detail);
                      });
}

}  // namespace astacus::storage::gcs
