#include "http/client.h"

#include <algorithm>

#include <httplib.h>

namespace astacus::http {

namespace {

/// Request bodies up to this size are copied into httplib's request; bigger ones are streamed
/// from the caller's string.
constexpr size_t kCopiedBodyMax = size_t{64} << 10;

}  // namespace

Result<nlohmann::json> Response::json(const std::string& url) const {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded()) {
    return errorf(ErrorCode::kInvalidArgument, "{} answered HTTP {} with a body that is not JSON: {}",
                  url, status, body.substr(0, 200));
  }
  return parsed;
}

Result<ParsedUrl> parse_url(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return errorf(ErrorCode::kInvalidArgument, "invalid URL '{}': expected http://host:port/path", url);
  }
  auto path_start = url.find('/', scheme_end + 3);
  ParsedUrl out;
  out.origin = url.substr(0, path_start);
  out.path = path_start == std::string::npos ? "/" : url.substr(path_start);
  return out;
}

std::string url_encode(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<Response> request(const std::string& method, const std::string& url,
                         const RequestOptions& options) {
  auto parsed = ASTACUS_TRY(parse_url(url));
  httplib::Client client(parsed.origin);
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(options.timeout);
  auto usecs = std::chrono::duration_cast<std::chrono::microseconds>(options.timeout - secs);
  client.set_connection_timeout(secs.count(), usecs.count());
  client.set_read_timeout(secs.count(), usecs.count());
  client.set_write_timeout(secs.count(), usecs.count());
  client.set_keep_alive(false);

  httplib::Request req;
  req.method = method;
  req.path = parsed.path;
  // httplib would offer "br, gzip, deflate", and its server then brotli-compresses every JSON
  // answer: for a node's 20 MB file list that was half a second of CPU on each side. Cluster
  // traffic is node to coordinator; it goes uncompressed.
  req.set_header("Accept-Encoding", "identity");
  if (options.body) {
    req.set_header("Content-Type", "application/json");
    if (options.body->size() < kCopiedBodyMax) {
      req.body = *options.body;
    } else {
      // Sent from the caller's string: httplib copies a Request (body included) on send, and an
      // upload's body lists every blob of a node.
      const std::string& body = *options.body;
      req.content_length_ = body.size();
      req.content_provider_ = [&body](size_t offset, size_t length, httplib::DataSink& sink) {
        return sink.write(body.data() + offset, std::min(length, body.size() - offset));
      };
    }
  }
  // The body is received into a string sized from Content-Length: httplib's own grows by
  // doubling, which copied (and page-faulted) a 20 MB node answer several times over.
  std::string body;
  req.content_receiver = [&body, &options](const char* data, size_t size, uint64_t offset, uint64_t total) {
    if (options.on_body) return options.on_body(std::string_view(data, size));
    if (offset == 0 && total > 0 && total < (uint64_t{1} << 32)) body.reserve(total);
    body.append(data, size);
    return true;
  };
  auto result = client.send(req);
  if (!result) {
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("{} {} failed: {}", method, url, httplib::to_string(result.error())),
                      /*retryable=*/true);
  }
  Response out;
  out.status = result->status;
  out.body = std::move(body);
  out.content_type = result->get_header_value("Content-Type");
  return out;
}

}  // namespace astacus::http
