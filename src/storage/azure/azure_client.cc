#include "storage/curl_global.h"
#include "storage/azure/azure_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "storage/azure/azure_errors.h"
#include "storage/azure/azure_xml.h"

namespace astacus::storage::azure {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// One easy handle per thread, reset before each request: curl keeps its connection cache, so
// a thread's consecutive requests to one endpoint reuse a connection.
class ThreadHandle {
 public:
  ThreadHandle() : handle_(curl_easy_init()) {}
  ~ThreadHandle() { curl_easy_cleanup(handle_); }
  ThreadHandle(const ThreadHandle&) = delete;
  ThreadHandle& operator=(const ThreadHandle&) = delete;
  CURL* get() { return handle_; }

 private:
  CURL* handle_;
};

CURL* thread_handle() {
  thread_local ThreadHandle handle;
  if (handle.get()) curl_easy_reset(handle.get());
  return handle.get();
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<Response*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {  // a new response (e.g. after 100 Continue) starts over
    response->headers.clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  response->headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  if (iequals(line.substr(0, colon), "content-length")) {
    size_t length = std::strtoull(std::string(value).c_str(), nullptr, 10);
    if (length > 0 && length < (size_t{1} << 34)) response->body.reserve(length);
  }
  return size * count;
}

long millis_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return static_cast<long>(std::max<int64_t>(1, left));
}

std::string proxy_url(const config::ProxyInfo& proxy) {
  std::string scheme = proxy.type == "socks5" ? "socks5h" : "http";
  return fmt::format("{}://{}:{}", scheme, proxy.host, proxy.port);
}

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

std::string Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return "";
}

Client::Client(ClientOptions options) : options_(std::move(options)) {
  ensure_curl_global_init();
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

// Every header sent: the request's own, Content-Type for bodies, x-ms-date, x-ms-version,
// Authorization (Shared Key over exactly these), and an empty Expect (no 100-continue wait).
Slist request_headers(const ClientOptions& o, const Request& r, std::string path) {
  SignableRequest signable{r.method, std::move(path), r.query, r.headers, r.body.size()};
  bool has_type = std::any_of(r.headers.begin(), r.headers.end(),
                              [](const auto& h) { return iequals(h.first, "content-type"); });
  if (has_body(r) && !has_type) signable.headers.emplace_back("Content-Type", "application/octet-stream");
  signable.headers.emplace_back("x-ms-date", rfc1123_date(std::chrono::system_clock::now()));
  signable.headers.emplace_back("x-ms-version", o.api_version);
  std::vector<std::string> lines;
  for (const auto& [k, v] : signable.headers) lines.push_back(k + ": " + v);
  if (o.sas_token.empty()) {
    lines.push_back("Authorization: " + shared_key_authorization(o.account, o.account_key, signable));
  }
  lines.push_back("Expect:");
  Slist headers;
  for (const auto& line : lines) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (!next) break;  // out of memory: the request goes out unsigned and fails with 403
    (void)headers.release();
    headers.reset(next);
  }
  return headers;
}

void set_timeouts(CURL* curl, const ClientOptions& o, Clock::time_point deadline) {
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   std::min(millis_until(deadline), static_cast<long>(o.connect_timeout.count())));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, millis_until(deadline));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, std::max(1L, static_cast<long>(o.read_timeout.count())));
}

void set_proxy(CURL* curl, const std::optional<config::ProxyInfo>& proxy) {
  if (!proxy) return;
  curl_easy_setopt(curl, CURLOPT_PROXY, proxy_url(*proxy).c_str());  // curl copies strings
  if (proxy->user) curl_easy_setopt(curl, CURLOPT_PROXYUSERNAME, proxy->user->c_str());
  if (proxy->pass) curl_easy_setopt(curl, CURLOPT_PROXYPASSWORD, proxy->pass->c_str());
}

void set_method(CURL* curl, const Request& r) {
  if (r.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (has_body(r)) {
    // Never NULL: curl would then read the body from stdin.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, r.body.empty() ? "" : r.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  } else if (r.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
}

}  // namespace

Result<Response> Client::send_once(const Request& r, Clock::time_point deadline) const {
  CURL* curl = thread_handle();
  std::string url = this->url(r);
  if (!curl) return make_error(transport_error(context_of(options_, r), path(r), CURLE_FAILED_INIT, ""));
  Slist headers = request_headers(options_, r, path(r));
  Response response;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  set_timeouts(curl, options_, deadline);
  set_proxy(curl, options_.proxy);
  set_method(curl, r);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);  // errbuf goes out of scope
  if (rc != CURLE_OK) {  // the message names the URL without its query: a SAS token is a secret
    return make_error(
        transport_error(context_of(options_, r), options_.endpoint.origin + path(r), rc, errbuf));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
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
