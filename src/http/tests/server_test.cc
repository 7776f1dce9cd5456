// A real server on 127.0.0.1 against our client: the client takes a body whole or as it arrives
// (RequestOptions::on_body) and sends request bodies small and big alike; send_json_around
// sends a middle made as it is sent.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/client.h"
#include "http/server.h"

namespace astacus::http {
namespace {

/// A 3 MiB JSON body, served on 127.0.0.1 while the object lives.
class BigBodyServer {
 public:
  BigBodyServer() {
    std::string big(3 * 1024 * 1024 + 17, 'x');
    for (size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>('a' + i % 26);
    expected_ = "{\"a\":\"" + big + "\",\"b\":1}";
    server_.Get("/status", [this](const Request&, Reply& reply) { send_json_text(reply, 200, expected_); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    serving_ = std::thread([this] { server_.listen_after_bind(); });  // the socket already listens
  }
  ~BigBodyServer() {
    server_.stop();
    serving_.join();
  }

  Result<Response> get(const RequestOptions& options = {}) {
    return request("GET", "http://127.0.0.1:" + std::to_string(port_) + "/status", options);
  }
  int port() const { return port_; }
  const std::string& expected() const { return expected_; }

 private:
  std::string expected_;
  httplib::Server server_;
  int port_ = 0;
  std::thread serving_;
};

TEST(Client, ReceivesABigBodyWhole) {
  BigBodyServer server;
  ASSERT_GT(server.port(), 0);
  auto response = server.get();
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->content_type, "application/json");
  EXPECT_TRUE(response->body == server.expected());
}

TEST(ClientOnBody, TakesTheBodyAsItArrivesWithoutKeepingIt) {
  BigBodyServer server;
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
  BigBodyServer server;
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

/// A middle made in 1000-byte pieces of 'm'.
class MadeMiddle final : public BodySource {
 public:
  explicit MadeMiddle(size_t size) : size_(size) {}
  uint64_t size() const override { return size_; }
  bool write_to(const std::function<bool(std::string_view)>& out) const override {
    std::string piece(1000, 'm');
    for (size_t at = 0; at < size_; at += piece.size()) {
      if (!out(std::string_view(piece).substr(0, std::min(piece.size(), size_ - at)))) return false;
    }
    return true;
  }

 private:
  size_t size_;
};

TEST(SendJsonAround, ARealClientReceivesHeadMadeMiddleAndTail) {
  for (size_t middle : {size_t{0}, size_t{1}, size_t{3} << 20}) {
    httplib::Server server;
    server.Get("/status", [&](const Request&, Reply& reply) {
      send_json_around(reply, 200, "{\"a\":\"", std::make_shared<MadeMiddle>(middle), "\"}");
    });
    int port = server.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    std::thread serving([&] { server.listen_after_bind(); });
    auto response = request("GET", "http://127.0.0.1:" + std::to_string(port) + "/status");
    server.stop();
    serving.join();
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->content_type, "application/json");
    EXPECT_TRUE(response->body == "{\"a\":\"" + std::string(middle, 'm') + "\"}") << middle;
  }
}

}  // namespace
}  // namespace astacus::http
