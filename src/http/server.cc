#include "http/server.h"

#include <sys/socket.h>

#include <spdlog/spdlog.h>

namespace astacus::http {

void send_json(Reply& reply, int status, const nlohmann::json& body) {
  reply.status = status;
  reply.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                    "application/json");
}

void send_json(Reply& reply, int status, const nlohmann::ordered_json& body) {
  reply.status = status;
  reply.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                    "application/json");
}

void send_json_text(Reply& reply, int status, std::string body) {
  reply.status = status;
  reply.body = std::move(body);  // set_content would copy it
  auto existing = reply.headers.equal_range("Content-Type");
  reply.headers.erase(existing.first, existing.second);
  reply.set_header("Content-Type", "application/json");
}

void send_json_around(Reply& reply, int status, std::string head, std::shared_ptr<const BodySource> middle,
                      std::string tail) {
  reply.status = status;
  const size_t middle_size = middle->size();
  const size_t total = head.size() + middle_size + tail.size();
  constexpr size_t kMaxWrite = 1 << 20;
  // httplib asks for the bytes from `offset` on, in order: the middle is written whole in one
  // call, from its start.
  reply.set_content_provider(
      total, "application/json",
      [head = std::move(head), middle = std::move(middle), tail = std::move(tail), middle_size](
          size_t offset, size_t length, httplib::DataSink& sink) {
        if (offset < head.size()) return sink.write(head.data() + offset, std::min({head.size() - offset, length, kMaxWrite}));
        offset -= head.size();
        if (offset < middle_size) {
          if (offset != 0) return false;  // a restart in the middle: not supported
          return middle->write_to([&sink](std::string_view bytes) { return sink.write(bytes.data(), bytes.size()); });
        }
        offset -= middle_size;
        if (offset >= tail.size()) return false;  // past the end
        return sink.write(tail.data() + offset, std::min({tail.size() - offset, length, kMaxWrite}));
      });
}

void send_detail(Reply& reply, int status, const nlohmann::ordered_json& detail) {
  send_json(reply, status, nlohmann::ordered_json{{"detail", detail}});
}

namespace {
int status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kInvalidArgument: return 422;
    case ErrorCode::kBusy:
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kForbidden: return 403;
    case ErrorCode::kUnavailable: return 503;
    default: return 500;
  }
}
}  // namespace

void send_error(Reply& reply, const Error& error) {
  std::string code(to_string(error.code));
  send_detail(reply, status_for(error.code), {{"code", code}, {"message", error.message}});
}

nlohmann::ordered_json validation_item(const std::vector<nlohmann::json>& loc, std::string_view msg,
                                       std::string_view type) {
  return {{"loc", loc}, {"msg", msg}, {"type", type}};
}

void send_validation_errors(Reply& reply, const std::vector<nlohmann::ordered_json>& items) {
  send_json(reply, 422, nlohmann::ordered_json{{"detail", items}});
}

std::optional<nlohmann::json> parse_json_body(const Request& request, Reply& reply,
                                              const nlohmann::json& empty_value,
                                              nlohmann::json::parser_callback_t callback) {
  if (request.body.empty()) return empty_value;
  auto parsed = nlohmann::json::parse(request.body, std::move(callback), false);
  if (parsed.is_discarded()) {
    nlohmann::ordered_json item = {{"type", "json_invalid"},
                           {"loc", {"body", 0}},
                           {"msg", "JSON decode error"},
                           {"input", nlohmann::ordered_json::object()},
                           {"ctx", {{"error", "Expecting value"}}}};
    send_json(reply, 422, nlohmann::ordered_json{{"detail", {item}}});
    return std::nullopt;
  }
  return parsed;
}

bool require_query(const Request& request, Reply& reply, const std::vector<std::string>& names) {
  std::vector<nlohmann::ordered_json> items;
  for (const auto& name : names) {
    if (!request.has_param(name.c_str())) {
      items.push_back(validation_item({"query", name}, "field required", "value_error.missing"));
    }
  }
  if (items.empty()) return true;
  send_validation_errors(reply, items);
  return false;
}

std::string request_origin(const Request& request) {
  std::string host = request.get_header_value("Host");
  if (host.empty()) host = request.local_addr + ":" + std::to_string(request.local_port);
  return "http://" + host;
}

Server::Server() {
  // cpp-httplib's default is SO_REUSEPORT, which lets a second server (say, a forgotten old
  // instance) bind the same port and silently take half the requests. SO_REUSEADDR alone still
  // allows a quick restart while refusing a live competitor.
  server_.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
}

Server::~Server() { stop(); }

Status Server::start(const std::string& host, int port) {
  if (!server_.bind_to_port(host.c_str(), port)) {
    return errorf(ErrorCode::kUnavailable, "cannot listen on {}:{} (address in use or not local?)",
                  host, port);
  }
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  return ok();
}

void Server::stop() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

void Server::wait() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace astacus::http
