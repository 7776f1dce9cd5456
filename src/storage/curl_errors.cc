// The shared classification of libcurl transfer failures (curl_errors.h).
#include "storage/curl_errors.h"

#include <curl/curl.h>

namespace astacus::storage {

CurlFailure classify_curl_failure(int curl_code) {
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_OPERATION_TIMEDOUT:
      return CurlFailure::kTimeout;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return CurlFailure::kConnection;
    default:
      return CurlFailure::kOther;
  }
}

std::string curl_failure_text(int curl_code, std::string_view detail) {
  if (!detail.empty()) return std::string(detail);
  return curl_easy_strerror(static_cast<CURLcode>(curl_code));
}

Error curl_failure_error(int curl_code, std::string message) {
  switch (classify_curl_failure(curl_code)) {
    case CurlFailure::kTimeout:
      return Error{ErrorCode::kTimeout, std::move(message), true};
    case CurlFailure::kConnection:
      return Error{ErrorCode::kUnavailable, std::move(message), true};
    case CurlFailure::kOther:
      break;
  }
  return Error{ErrorCode::kUnavailable, std::move(message), false};
}

}  // namespace astacus::storage
