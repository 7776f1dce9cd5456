#include "storage/azure/azure_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>

#include "storage/azure/azure_errors.h"
#include "storage/azure/azure_xml.h"

namespace astacus::storage::azure {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds backoff(const RetryPolicy& policy, int retry) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  double base = static_cast<double>(policy.initial_backoff.count()) * std::pow(2.0, std::min(retry, 30));
  base = std::min(base, static_cast<double>(policy.max_backoff.count()));
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return milliseconds(static_cast<int64_t>(base * jitter(rng)));
}

ErrorContext context_of(const ClientOptions& o, const Request& r) {
  return {o.site, o.account, o.container, r.blob, r.operation};
}

}  // namespace

Client::Client(ClientOptions options)
    : options_(std::move(options)),
      http_{options_.proxy, options_.connect_timeout, options_.read_timeout} {
  while (!options_.sas_token.empty() && options_.sas_token.front() == '?') options_.sas_token.erase(0, 1);
}

std::string Client::path(const Request& r) const {
  std::string out = options_.endpoint.base_path + "/" + uri_encode(options_.container, false);
  if (!r.blob.empty()) out += "/" + uri_encode(r.blob, true);
  return out;
}

std::string Client::url(const Request& r) const {
  std::string out = options_.endpoint.origin + path(r);
  char sep = '?';
  for (const auto& [k, v] : r.query) {
    out += sep + uri_encode(k, false) + "=" + uri_encode(v, false);
    sep = '&';
  }
  if (!options_.sas_token.empty()) out += sep + options_.sas_token;
  return out;
}

namespace {

bool has_body(const Request& r) { return r.method == "PUT" || r.method == "POST"; }

// Every header sent: the request's own, Content-Type for bodies, x-ms-date, x-ms-version and
// Authorization (Shared Key over exactly these); perform_http adds an empty Expect.
HttpHeaders request_headers(const ClientOptions& o, const Request& r, std::string path) {
  SignableRequest signable{r.method, std::move(path), r.query, r.headers, r.body.size()};
  bool has_type = std::any_of(r.headers.begin(), r.headers.end(),
                              [](const auto& h) { return iequals_ascii(h.first, "content-type"); });
  if (has_body(r) && !has_type) signable.headers.emplace_back("Content-Type", "application/octet-stream");
  signable.headers.emplace_back("x-ms-date", rfc1123_date(std::chrono::system_clock::now()));
  signable.headers.emplace_back("x-ms-version", o.api_version);
  if (o.sas_token.empty()) {
    std::string authorization = shared_key_authorization(o.account, o.account_key, signable);
    signable.headers.emplace_back("Authorization", std::move(authorization));
  }
  return std::move(signable.headers);
}

}  // namespace

Result<Response> Client::send_once(const Request& r, Clock::time_point deadline) const {
  CURL* curl = thread_curl_handle();
  if (!curl) return make_error(transport_error(context_of(options_, r), path(r), CURLE_FAILED_INIT, ""));
  HttpRequest request{r.method, url(r), request_headers(options_, r, path(r)), r.body};
  return perform_http(curl, http_, request, deadline, /*reserve_body=*/true,
                      [&](int curl_code, std::string_view detail) {
                        // the message names the URL without its query: a SAS token is a secret
                        return transport_error(context_of(options_, r), options_.endpoint.origin + path(r),
                                               curl_code, detail);
                      });
}

Result<Response> Client::call(const Request& r) const {
  auto start = Clock::now();
  auto deadline = start + options_.retry.deadline;
  for (int attempt = 1;; ++attempt) {
    auto sent = send_once(r, deadline);
    Error error;
    if (sent && sent->status >= 200 && sent->status < 300) return sent;
    if (sent) {
      ErrorBody body = parse_error_body(sent->body);
      if (std::string code = sent->header("x-ms-error-code"); !code.empty()) body.code = code;
      error = http_status_error(context_of(options_, r), sent->status, body);
    } else {
      error = std::move(sent).error();
    }
    auto wait = backoff(options_.retry, attempt - 1);
    if (!error.retryable || attempt >= options_.retry.max_attempts || Clock::now() + wait >= deadline) {
      if (attempt == 1) return make_error(std::move(error));
      auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
      error.message += fmt::format(" (gave up after {} attempts in {:.1f} s)", attempt,
                                   static_cast<double>(elapsed.count()) / 1000.0);
      return make_error(std::move(error));
    }
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace astacus::storage::azure
