#pragma once
// HTTP server glue over cpp-httplib: JSON responses, the FastAPI-shaped error bodies Python
// Astacus clients expect, and Error -> status mapping in one place. No domain logic.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "base/result.h"

namespace astacus::http {

using Request = httplib::Request;
using Reply = httplib::Response;

void send_json(Reply& reply, int status, const nlohmann::json& body);
void send_json(Reply& reply, int status, const nlohmann::ordered_json& body);
/// A body that is already JSON text.
void send_json_text(Reply& reply, int status, std::string body);
/// A part of a reply body made as it is sent (a text kept compressed): its exact size, and its
/// bytes in order.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual uint64_t size() const = 0;
  /// Writes every byte, in order, to `out`; false when `out` refused a piece or the bytes could
  /// not be made.
  virtual bool write_to(const std::function<bool(std::string_view)>& out) const = 0;
};
/// A JSON body that is `head`, then `middle`'s bytes (made as they are sent), then `tail`;
/// Content-Length is their total size.
void send_json_around(Reply& reply, int status, std::string head, std::shared_ptr<const BodySource> middle,
                      std::string tail);
/// {"detail": detail} with `status`.
void send_detail(Reply& reply, int status, const nlohmann::ordered_json& detail);
/// Maps an Error to a status (NotFound 404, InvalidArgument 422, Conflict/Busy 409,
/// Forbidden 403, Unavailable 503, others 500) and {"detail": {"code", "message"}}.
void send_error(Reply& reply, const Error& error);

/// Bodies keep Python's key order (ordered_json): clients compare them byte for byte.
/// One pydantic-v1 style validation problem: {"loc": [...], "msg": ..., "type": ...}.
nlohmann::ordered_json validation_item(const std::vector<nlohmann::json>& loc, std::string_view msg,
                               std::string_view type);
/// 422 {"detail": [items...]}.
void send_validation_errors(Reply& reply, const std::vector<nlohmann::ordered_json>& items);

/// Parses the request body as JSON. An empty body gives `empty_value`. On a syntax error it
/// sends FastAPI's 422 json_invalid body and returns nullopt.
std::optional<nlohmann::json> parse_json_body(const Request& request, Reply& reply,
                                              const nlohmann::json& empty_value,
                                              nlohmann::json::parser_callback_t callback = nullptr);

/// Required query parameters; on missing ones sends 422 listing each and returns false.
bool require_query(const Request& request, Reply& reply, const std::vector<std::string>& names);

/// "http://<Host header>" of the request, so status URLs use the address the caller used.
std::string request_origin(const Request& request);

/// Runs an httplib::Server on host:port in a background thread.
class Server {
 public:
  Server();
  ~Server();
  httplib::Server& routes() { return server_; }
  /// Binds and starts serving; error names host:port when the bind fails.
  Status start(const std::string& host, int port);
  void stop();
  /// Blocks until stop() is called.
  void wait();

 private:
  httplib::Server server_;
  std::thread thread_;
};

}  // namespace astacus::http
