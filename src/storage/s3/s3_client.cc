#include "storage/s3/s3_client.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace astacus::storage::s3 {

namespace {

using SlistPtr = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

struct Upload {
  std::string_view data;
  size_t pos = 0;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

size_t on_body(char* ptr, size_t size, size_t n, void* user) {
  static_cast<Response*>(user)->body.append(ptr, size * n);
  return size * n;
}

size_t on_header(char* ptr, size_t size, size_t n, void* user) {
  auto* response = static_cast<Response*>(user);
  std::string_view line(ptr, size * n);
  if (line.starts_with("HTTP/")) {
    response->headers.clear();  // a new (e.g. after "100 Continue") response starts
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name = lower(trim(line.substr(0, colon)));
  std::string_view value = trim(line.substr(colon + 1));
  if (name == "content-length") {
    size_t length = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (ec == std::errc() && length <= (size_t{1} << 33)) response->body.reserve(length);
  }
  response->headers.emplace_back(std::move(name), std::string(value));
  return size * n;
}

size_t on_read(char* buffer, size_t size, size_t n, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t len = std::min(size * n, upload->data.size() - upload->pos);
  std::memcpy(buffer, upload->data.data() + upload->pos, len);
  upload->pos += len;
  return len;
}

int on_seek(void* user, curl_off_t offset, int origin) {
  auto* upload = static_cast<Upload*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > upload->data.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  upload->pos = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

bool has_header(const Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return lower(h.first) == name; });
}

// "Name: value"; an empty value needs curl's "Name;" form (a bare "Name:" removes the header).
std::string curl_header(const std::string& name, const std::string& value) {
  return value.empty() ? name + ";" : name + ": " + value;
}

void set_method(CURL* h, const Request& request, Upload& upload) {
  if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &upload);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, &upload);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
  } else if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
}

void set_transport(CURL* h, const S3Settings& s, std::chrono::milliseconds remaining) {
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, s.user_agent.c_str());
  auto connect = std::min(s.connect_timeout, remaining);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::max<int64_t>(1, connect.count())));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(1, remaining.count())));
  // read_timeout: abort when less than 1 byte/s moves for that long.
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(std::max<int64_t>(1, (s.read_timeout.count() + 999) / 1000)));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, s.verify_tls ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, s.verify_tls ? 2L : 0L);
  if (!s.ca_path.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, s.ca_path.c_str());
  if (s.proxy) {
    std::string proxy = fmt::format("{}://{}:{}", s.proxy->type == "socks5" ? "socks5h" : "http", s.proxy->host,
                                    s.proxy->port);
    curl_easy_setopt(h, CURLOPT_PROXY, proxy.c_str());  // libcurl copies string options
    if (s.proxy->user) curl_easy_setopt(h, CURLOPT_PROXYUSERNAME, s.proxy->user->c_str());
    if (s.proxy->pass) curl_easy_setopt(h, CURLOPT_PROXYPASSWORD, s.proxy->pass->c_str());
  }
}

}  // namespace

const std::string* Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

Client::Client(S3Settings settings, size_t max_idle_handles)
    : settings_(std::move(settings)),
      description_(fmt::format("s3 bucket '{}' at {} (site '{}')", settings_.bucket, settings_.endpoint.origin(),
                               settings_.site)),
      pool_(max_idle_handles) {}

RequestContext Client::context(const Request& request) const {
  return RequestContext{settings_.site, settings_.bucket, description_, request.method, request.key};
}

Result<Response> Client::send(const Request& request, Clock::time_point deadline) {
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (remaining.count() <= 0) {
    return make_error(ErrorCode::kTimeout,
                      fmt::format("{}: {} '{}': deadline passed before the request was sent", description_,
                                  request.method, request.key),
                      true);
  }
  CurlPool::Lease lease = pool_.acquire();
  CURL* h = lease.get();
  if (!h) return errorf(ErrorCode::kInternal, "{}: curl_easy_init failed", description_);

  const std::string host = settings_.endpoint.host_header(settings_.bucket);
  const std::string path = settings_.endpoint.path(settings_.bucket, request.key);
  const std::string query = canonical_query(request.query);
  const std::string url = fmt::format("{}://{}{}{}{}", settings_.endpoint.scheme, host, path,
                                      query.empty() ? "" : "?", query);
  const std::string date = amz_date(std::chrono::system_clock::now());
  SigningRequest signing{request.method, path, request.query, {}, payload_hash(request.body)};
  signing.headers = {{"host", host}, {"x-amz-content-sha256", signing.payload_hash}, {"x-amz-date", date}};
  if (!settings_.credentials.session_token.empty()) {
    signing.headers.emplace_back("x-amz-security-token", settings_.credentials.session_token);
  }
  signing.headers.insert(signing.headers.end(), request.headers.begin(), request.headers.end());
  Signature signature = sign_v4(signing, settings_.credentials, settings_.region, date);

  SlistPtr header_list(nullptr, curl_slist_free_all);
  auto add = [&](const std::string& line) { header_list.reset(curl_slist_append(header_list.release(), line.c_str())); };
  for (const auto& [name, value] : signing.headers) add(curl_header(name, value));
  add("Authorization: " + signature.authorization);
  add("Expect:");  // no 100-continue round trip
  if (!has_header(request.headers, "content-type")) add("Content-Type:");  // no curl default for POST
  if (!header_list) return errorf(ErrorCode::kInternal, "{}: out of memory building headers", description_);

  Response response;
  Upload upload{request.body, 0};
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  set_method(h, request, upload);
  set_transport(h, settings_, remaining);

  CURLcode rc = curl_easy_perform(h);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  if (rc != CURLE_OK) return make_error(transport_error(context(request), rc, error_buffer));
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace astacus::storage::s3
