// send_json_pieces serves a body from shared pieces without joining them: a real server on
// 127.0.0.1 and our client must see exactly the concatenation, whatever the piece sizes.
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

TEST(SendJsonPieces, ARealClientReceivesTheConcatenation) {
  std::string big(3 * 1024 * 1024 + 17, 'x');  // over the 1 MiB written per call
  for (size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>('a' + i % 26);
  std::vector<std::shared_ptr<const std::string>> pieces{piece("{\"a\":\""), piece(big), piece(""),
                                                         piece("\",\"b\":1}")};
  std::string expected = "{\"a\":\"" + big + "\",\"b\":1}";

  httplib::Server server;
  long shared_while_replying = 0;
  server.Get("/status", [&](const Request&, Reply& reply) {
    send_json_pieces(reply, 200, pieces);
    shared_while_replying = pieces[1].use_count();
  });
  int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&] { server.listen_after_bind(); });  // the socket already listens
  auto response = request("GET", "http://127.0.0.1:" + std::to_string(port) + "/status");
  server.stop();
  serving.join();

  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->content_type, "application/json");
  EXPECT_EQ(response->body.size(), expected.size());
  EXPECT_TRUE(response->body == expected);
  EXPECT_EQ(shared_while_replying, 2) << "the reply shares the big piece";
}

}  // namespace
}  // namespace astacus::http
