// libcurl transport shared by the Azure and GCS clients (curl_util.h).
#include "storage/curl_util.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "storage/curl_global.h"

namespace astacus::storage {

namespace {

using Clock = std::chrono::steady_clock;

// One easy handle per thread, reset before each request; curl keeps its connection cache.
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

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// Where the callbacks of one exchange write.
struct Sink {
  HttpResponse* response;
  bool reserve_body;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<Sink*>(user)->response->body.append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  HttpHeaders& headers = sink->response->headers;
  if (!add_header_line(std::string_view(data, size * count), headers) || !sink->reserve_body) return size * count;
  if (iequals_ascii(headers.back().first, "content-length")) {
    size_t length = std::strtoull(headers.back().second.c_str(), nullptr, 10);
    if (length > 0 && length < (size_t{1} << 34)) sink->response->body.reserve(length);
  }
  return size * count;
}

long millis_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<long>(std::max<int64_t>(1, left));
}

Slist header_list(const HttpHeaders& headers) {
  std::vector<std::string> lines;
  for (const auto& [k, v] : headers) lines.push_back(k + ": " + v);
  lines.emplace_back("Expect:");  // no 100-continue round trip
  Slist list;
  for (const auto& line : lines) {
    curl_slist* next = curl_slist_append(list.get(), line.c_str());
    if (!next) break;  // out of memory: the request goes out without the remaining headers
    (void)list.release();
    list.reset(next);
  }
  return list;
}

void set_timeouts(CURL* curl, const HttpSettings& s, Clock::time_point deadline) {
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   std::min(millis_until(deadline), static_cast<long>(s.connect_timeout.count())));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, millis_until(deadline));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, std::max(1L, static_cast<long>(s.read_timeout.count())));
}

void set_proxy(CURL* curl, const std::optional<config::ProxyInfo>& proxy) {
  if (!proxy) return;
  std::string scheme = proxy->type == "socks5" ? "socks5h" : "http";
  std::string url = fmt::format("{}://{}:{}", scheme, proxy->host, proxy->port);
  curl_easy_setopt(curl, CURLOPT_PROXY, url.c_str());  // curl copies strings
  if (proxy->user) curl_easy_setopt(curl, CURLOPT_PROXYUSERNAME, proxy->user->c_str());
  if (proxy->pass) curl_easy_setopt(curl, CURLOPT_PROXYPASSWORD, proxy->pass->c_str());
}

void set_method(CURL* curl, const HttpRequest& r) {
  if (r.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (r.method == "POST" || r.method == "PUT") {
    // Never NULL: curl would then read the body from stdin.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, r.body.empty() ? "" : r.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  } else if (r.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
}

}  // namespace

bool iequals_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals_ascii(k, name)) return v;
  }
  return "";
}

bool add_header_line(std::string_view line, HttpHeaders& headers) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {  // a new response (e.g. after 100 Continue) starts over
    headers.clear();
    return false;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  return true;
}

CURL* thread_curl_handle() {
  ensure_curl_global_init();
  thread_local ThreadHandle handle;
  if (handle.get()) curl_easy_reset(handle.get());
  return handle.get();
}

Result<HttpResponse> perform_http(CURL* curl, const HttpSettings& settings, const HttpRequest& request,
                                  Clock::time_point deadline, bool reserve_body,
                                  const TransportErrorFn& transport_error) {
  Slist headers = header_list(request.headers);
  HttpResponse response;
  Sink sink{&response, reserve_body};
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);
  set_timeouts(curl, settings, deadline);
  set_proxy(curl, settings.proxy);
  set_method(curl, request);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);  // errbuf goes out of scope
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);   // so does the header list
  if (rc != CURLE_OK) return make_error(transport_error(rc, errbuf));
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace astacus::storage
