// The libcurl helpers shared by the backends: header-line parsing, one exchange against a local
// one-shot server, and the classification of transfer failures (and what each backend makes
// of it).
#include "storage/curl_util.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "storage/azure/azure_errors.h"
#include "storage/curl_errors.h"
#include "storage/gcs/gcs_errors.h"
#include "storage/s3/s3_errors.h"

namespace astacus::storage {
namespace {

using Clock = std::chrono::steady_clock;

// Feeds `lines` to add_header_line, starting from `headers`; `added` gets '+' for every line
// that added a header and '-' for the others.
HttpHeaders feed(std::initializer_list<std::string_view> lines, std::string& added, HttpHeaders headers = {}) {
  for (std::string_view line : lines) added += add_header_line(line, headers) ? '+' : '-';
  return headers;
}

TEST(CurlHeaderLine, SplitsNameAndValueAndDropsLineEndAndLeadingBlanks) {
  std::string added;
  HttpHeaders headers = feed({"Content-Type: text/plain\r\n", "X-Tab:\t \tv\n", "Location: http://host:80/a?b=c\r\n",
                              "X-Empty:\r\n", "X-Trailing: v  \r\n"},
                             added);
  EXPECT_EQ(added, "+++++");
  HttpHeaders expected{{"Content-Type", "text/plain"},
                       {"X-Tab", "v"},
                       {"Location", "http://host:80/a?b=c"},
                       {"X-Empty", ""},
                       {"X-Trailing", "v  "}};
  EXPECT_EQ(headers, expected) << "names as sent, only the first ':' splits, trailing blanks stay";
}

TEST(CurlHeaderLine, SkipsLinesWithoutColon) {
  std::string added;
  EXPECT_EQ(feed({"\r\n", "", "garbage\r\n"}, added, {{"A", "1"}}), (HttpHeaders{{"A", "1"}}));
  EXPECT_EQ(added, "---");
}

TEST(CurlHeaderLine, StatusLineStartsANewResponse) {
  std::string added;
  HttpHeaders headers = feed({"HTTP/1.1 100 Continue\r\n", "X-Interim: 1\r\n", "\r\n", "HTTP/2 200\r\n",
                              "etag: \"x\"\r\n", "\r\n"},
                             added);
  EXPECT_EQ(added, "-+--+-");
  EXPECT_EQ(headers, (HttpHeaders{{"etag", "\"x\""}})) << "the interim response's headers are gone";
}

TEST(CurlHttpResponse, HeaderLookupIgnoresCaseAndTakesTheFirst) {
  HttpResponse response;
  response.headers = {{"X-MS-Error-Code", "BlobNotFound"}, {"x-ms-error-code", "second"}};
  EXPECT_EQ(response.header("x-ms-error-code"), "BlobNotFound");
  EXPECT_EQ(response.header("X-Ms-Error-Code"), "BlobNotFound");
  EXPECT_EQ(response.header("x-ms-error"), "");
  EXPECT_TRUE(iequals_ascii("Content-Length", "content-LENGTH"));
  EXPECT_FALSE(iequals_ascii("Content-Length", "Content-Length2"));
}

// A socket listening on 127.0.0.1 at a port the kernel picks (stored in `port`); -1 on failure.
int listen_on_loopback(int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 && ::listen(fd, 1) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
    return fd;
  }
  if (fd >= 0) ::close(fd);
  return -1;
}

// A server on 127.0.0.1 that accepts one connection, reads one request (headers + the body of
// its Content-Length) and answers with `answer`.
class OneShotServer {
 public:
  explicit OneShotServer(std::string answer) : answer_(std::move(answer)) {
    fd_ = listen_on_loopback(port_);
    if (fd_ < 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
      return;
    }
    thread_ = std::thread([this] { serve(); });
  }
  ~OneShotServer() {
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }
  OneShotServer(const OneShotServer&) = delete;
  OneShotServer& operator=(const OneShotServer&) = delete;

  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  /// What the client sent (read after the exchange).
  const std::string& request() const { return request_; }

 private:
  void serve() {
    int conn = ::accept(fd_, nullptr, nullptr);
    if (conn < 0) return;
    char buffer[4096];
    size_t need = std::string::npos;
    while (need == std::string::npos || request_.size() < need) {
      ssize_t n = ::recv(conn, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      request_.append(buffer, static_cast<size_t>(n));
      size_t end = request_.find("\r\n\r\n");
      if (need == std::string::npos && end != std::string::npos) {
        size_t length = 0;
        if (size_t at = request_.find("Content-Length: "); at != std::string::npos && at < end) {
          length = std::stoul(request_.substr(at + 16));
        }
        need = end + 4 + length;
      }
    }
    (void)!::send(conn, answer_.data(), answer_.size(), MSG_NOSIGNAL);
    ::close(conn);
  }

  std::string answer_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::string request_;
};

TEST(CurlPerformHttp, SendsHeadersAndBodyAndCollectsTheAnswer) {
  OneShotServer server(
      "HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-Answer:  yes\r\nConnection: close\r\n\r\nhello");
  CURL* curl = thread_curl_handle();
  ASSERT_NE(curl, nullptr);
  HttpRequest request{"PUT", server.url("/a/b?q=1"), {{"X-Test", "1"}, {"Content-Type", "text/plain"}}, "body!"};
  bool failed = false;
  auto response = perform_http(curl, HttpSettings{}, request, Clock::now() + std::chrono::seconds(30),
                               /*reserve_body=*/true, [&](int code, std::string_view detail) {
                                 failed = true;
                                 return Error{ErrorCode::kUnavailable, fmt::format("{} {}", code, detail), false};
                               });
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_FALSE(failed);
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->header("x-answer"), "yes");
  EXPECT_EQ(response->header("content-length"), "5");
  std::string sent = server.request();
  EXPECT_TRUE(sent.starts_with("PUT /a/b?q=1 HTTP/1.1\r\n")) << sent;
  EXPECT_NE(sent.find("\r\nX-Test: 1\r\n"), std::string::npos) << sent;
  EXPECT_NE(sent.find("\r\nContent-Length: 5\r\n"), std::string::npos) << sent;
  EXPECT_EQ(sent.find("Expect:"), std::string::npos) << "no 100-continue round trip: " << sent;
  EXPECT_TRUE(sent.ends_with("\r\n\r\nbody!")) << sent;
}

TEST(CurlPerformHttp, RefusedConnectionGoesToTheBackendsTransportError) {
  int port = 0;
  int fd = listen_on_loopback(port);
  ASSERT_GE(fd, 0);
  ::close(fd);  // nothing listens on `port` any more
  CURL* curl = thread_curl_handle();
  ASSERT_NE(curl, nullptr);
  HttpRequest request{"GET", fmt::format("http://127.0.0.1:{}/", port), {}, {}};
  int seen_code = -1;
  auto response = perform_http(curl, HttpSettings{}, request, Clock::now() + std::chrono::seconds(30), false,
                               [&](int code, std::string_view detail) {
                                 seen_code = code;
                                 return Error{ErrorCode::kUnavailable, std::string(detail), true};
                               });
  ASSERT_FALSE(response);
  EXPECT_EQ(seen_code, CURLE_COULDNT_CONNECT);
  EXPECT_FALSE(response.error().message.empty()) << "curl's error buffer is passed on";
}

TEST(CurlFailures, ClassifiesTimeoutsConnectionFailuresAndTheRest) {
  EXPECT_EQ(classify_curl_failure(CURLE_OPERATION_TIMEDOUT), CurlFailure::kTimeout);
  for (CURLcode code : {CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT,
                        CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE,
                        CURLE_SSL_CONNECT_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM}) {
    EXPECT_EQ(classify_curl_failure(code), CurlFailure::kConnection) << curl_easy_strerror(code);
  }
  for (CURLcode code : {CURLE_FAILED_INIT, CURLE_URL_MALFORMAT, CURLE_PEER_FAILED_VERIFICATION,
                        CURLE_OUT_OF_MEMORY, CURLE_WEIRD_SERVER_REPLY, CURLE_UNSUPPORTED_PROTOCOL}) {
    EXPECT_EQ(classify_curl_failure(code), CurlFailure::kOther) << curl_easy_strerror(code);
  }
}

// "<code> retryable|permanent", e.g. "Timeout retryable".
std::string kind(const Error& e) {
  return fmt::format("{} {}", to_string(e.code), e.retryable ? "retryable" : "permanent");
}

TEST(CurlFailures, AzureAndGcsClassifyTransferFailuresTheSharedWay) {
  gcs::ErrorContext gcs_context{"main", "bkt", "data/x", "objects.get", true};
  azure::ErrorContext azure_context{"az", "acct", "cont", "blob/1", "Get Blob"};
  struct Case {
    CURLcode code;
    std::string kind;
  };
  for (const Case& c : {Case{CURLE_OPERATION_TIMEDOUT, "Timeout retryable"},
                        Case{CURLE_COULDNT_CONNECT, "Unavailable retryable"},
                        Case{CURLE_RECV_ERROR, "Unavailable retryable"},
                        Case{CURLE_HTTP2_STREAM, "Unavailable retryable"},
                        Case{CURLE_PEER_FAILED_VERIFICATION, "Unavailable permanent"},
                        Case{CURLE_SSL_CACERT_BADFILE, "Unavailable permanent"},
                        Case{CURLE_WEIRD_SERVER_REPLY, "Unavailable permanent"},
                        Case{CURLE_FAILED_INIT, "Unavailable permanent"}}) {
    EXPECT_EQ(kind(curl_failure_error(c.code, "m")), c.kind) << c.code;
    EXPECT_EQ(kind(gcs::transport_error(gcs_context, "u", c.code, "")), c.kind) << c.code;
    EXPECT_EQ(kind(azure::transport_error(azure_context, "u", c.code, "")), c.kind) << c.code;
  }
}

TEST(CurlFailures, MessagesNameTheSiteAndUrlAndSayWhatCurlSaid) {
  EXPECT_EQ(curl_failure_error(CURLE_OPERATION_TIMEDOUT, "m1").message, "m1");
  EXPECT_EQ(curl_failure_text(CURLE_COULDNT_CONNECT, "Failed to connect to x"), "Failed to connect to x");
  EXPECT_EQ(curl_failure_text(CURLE_COULDNT_CONNECT, ""), curl_easy_strerror(CURLE_COULDNT_CONNECT));

  gcs::ErrorContext gcs_context{"main", "bkt", "data/x", "objects.get", true};
  EXPECT_EQ(gcs::transport_error(gcs_context, "https://gcs/o", CURLE_OPERATION_TIMEDOUT, "Operation timed out").message,
            "object_storage.storages.main: GCS objects.get of object 'data/x' in bucket 'bkt' failed "
            "(https://gcs/o): Operation timed out");
  EXPECT_EQ(gcs::transport_error(gcs_context, "https://gcs/o", CURLE_RECV_ERROR, "").message,
            std::string("object_storage.storages.main: GCS objects.get of object 'data/x' in bucket 'bkt' failed "
                        "(https://gcs/o): ") +
                curl_easy_strerror(CURLE_RECV_ERROR));

  azure::ErrorContext azure_context{"az", "acct", "cont", "blob/1", "Get Blob"};
  EXPECT_EQ(azure::transport_error(azure_context, "http://127.0.0.1:10000/acct/cont/blob/1", CURLE_COULDNT_CONNECT,
                                   "Failed to connect")
                .message,
            "azure site 'az': Get Blob of blob 'blob/1' in container 'cont' failed "
            "(http://127.0.0.1:10000/acct/cont/blob/1): Failed to connect");

  s3::RequestContext s3_context{"s3site", "bkt", "s3 bucket 'bkt'", "GET", "data/k"};
  EXPECT_EQ(s3::transport_error(s3_context, CURLE_OPERATION_TIMEDOUT, "timed out").message,
            "s3 bucket 'bkt': GET 'data/k': timed out (curl error 28)");
}

TEST(CurlFailures, S3RetriesEverythingButConfigProblems) {
  s3::RequestContext context{"s3site", "bkt", "s3 bucket 'bkt'", "GET", "data/k"};
  EXPECT_EQ(kind(s3::transport_error(context, CURLE_OPERATION_TIMEDOUT, "")), "Timeout retryable");
  for (CURLcode code : {CURLE_COULDNT_CONNECT, CURLE_WEIRD_SERVER_REPLY, CURLE_OUT_OF_MEMORY, CURLE_FAILED_INIT}) {
    EXPECT_EQ(kind(s3::transport_error(context, code, "")), "Unavailable retryable") << code;
  }
  Error e = s3::transport_error(context, CURLE_URL_MALFORMAT, "bad");
  EXPECT_EQ(kind(e), "InvalidArgument permanent");
  EXPECT_TRUE(e.message.ends_with("bad (curl error 3); check object_storage.storages.s3site.host and port"))
      << e.message;
  e = s3::transport_error(context, CURLE_PEER_FAILED_VERIFICATION, "bad");
  EXPECT_EQ(kind(e), "InvalidArgument permanent");
  EXPECT_TRUE(e.message.ends_with("check object_storage.storages.s3site.is_verify_tls and cert_path"))
      << e.message;
}

}  // namespace
}  // namespace astacus::storage
