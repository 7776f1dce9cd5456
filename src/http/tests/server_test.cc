// send_json_pieces serves a body from shared pieces without joining them: a real server on
// 127.0.0.1 and our client must see exactly the concatenation, whatever the piece sizes. The
// client can take a body as it arrives (RequestOptions::on_body) instead of whole, and sends
// request bodies small and big alike.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/client.h"
#include "http/server.h"

namespace astacus::http {
namespace {

std::shared_ptr<const std::string> piece(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

/// A 3 MiB JSON body in four pieces, served on 127.0.0.1 for the duration of one request.
class PiecesServer {
 public:
  PiecesServer() {
    std::string big(3 * 1024 * 1024 + 17, 'x');  // over the 1 MiB written per call
    for (size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>('a' + i % 26);
    pieces_ = {piece("{\"a\":\""), piece(big), piece(""), piece("\",\"b\":1}")};
    expected_ = "{\"a\":\"" + big + "\",\"b\":1}";
    server_.Get("/status", [this](const Request&, Reply& reply) {
      send_json_pieces(reply, 200, pieces_);
      shared_while_replying_ = pieces_[1].use_count();
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    serving_ = std::thread([this] { server_.listen_after_bind(); });  // the socket already listens
  }
  ~PiecesServer() {
    server_.stop();
    serving_.join();
  }

  Result<Response> get(const RequestOptions& options = {}) {
    return request("GET", "http://127.0.0.1:" + std::to_string(port_) + "/status", options);
  }
  int port() const { return port_; }
  const std::string& expected() const { return expected_; }
  long shared_while_replying() const { return shared_while_replying_; }

 private:
  std::vector<std::shared_ptr<const std::string>> pieces_;
  std::string expected_;
  httplib::Server server_;
  long shared_while_replying_ = 0;
  int port_ = 0;
  std::thread serving_;
};

TEST(SendJsonPieces, ARealClientReceivesTheConcatenation) {
  PiecesServer server;
  ASSERT_GT(server.port(), 0);
  auto response = server.get();
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->content_type, "application/json");
  EXPECT_EQ(response->body.size(), server.expected().size());
  EXPECT_TRUE(response->body == server.expected());
  EXPECT_EQ(server.shared_while_replying(), 2) << "the reply shares the big piece";
}

TEST(ClientOnBody, TakesTheBodyAsItArrivesWithoutKeepingIt) {
  PiecesServer server;
  ASSERT_GT(server.port(), 0);
  std::string received;
  size_t calls = 0;
  RequestOptions options;
  options.on_body = [&](std::string_view bytes) {
    received.append(bytes);
    ++calls;
    return true;
  };
  auto response = server.get(options);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->body.empty());
  EXPECT_TRUE(received == server.expected());
  EXPECT_GT(calls, 1u) << "a 3 MiB body arrives in pieces";
}

TEST(ClientOnBody, RefusingTheBodyFailsTheRequest) {
  PiecesServer server;
  ASSERT_GT(server.port(), 0);
  RequestOptions options;
  options.on_body = [](std::string_view) { return false; };
  auto response = server.get(options);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(response.error().message.find("/status"), std::string::npos) << response.error().message;
}

TEST(ClientBody, SmallAndBigRequestBodiesArriveWhole) {
  httplib::Server server;
  std::string received;
  std::string content_type;
  server.Post("/echo", [&](const Request& req, Reply& reply) {
    received = req.body;
    content_type = req.get_header_value("Content-Type");
    send_json(reply, 200, nlohmann::json{{"size", req.body.size()}});
  });
  int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&] { server.listen_after_bind(); });
  for (size_t size : {size_t{0}, size_t{10}, size_t{5} << 20}) {  // copied, and streamed from the caller's string
    std::string body(size, 'b');
    for (size_t i = 0; i < size; i += 997) body[i] = static_cast<char>('a' + i % 26);
    auto response = request("POST", "http://127.0.0.1:" + std::to_string(port) + "/echo",
                            {std::chrono::seconds(10), body});
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_TRUE(received == body) << size;
    EXPECT_EQ(content_type, "application/json");
  }
  server.stop();
  serving.join();
}

}  // namespace
}  // namespace astacus::http
