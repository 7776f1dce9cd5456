// The etcd client and dump against a real etcd (Debian's /usr/bin/etcd, 3.4).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "plugins/etcd/client.h"
#include "plugins/etcd/dump.h"
#include "support/services.h"

namespace astacus::plugins::etcd {
namespace {

using testing::EtcdServer;

std::vector<KeyValue> binary_keys() {
  return {{"p/a", "1"},
          {std::string("p/\x00zero", 7), std::string("\x00\xff\x80", 3)},
          {"p/empty-value", ""},
          {std::string("p/\xff\xfe", 4), std::string(100000, 'v')}};
}

TEST(EtcdClient, PutRangeAndDeleteWithBinaryKeysAndValuesOnBothGatewayPaths) {
  EtcdServer server;
  for (const std::string version : {"/v3beta", "/v3"}) {
    Client client(server.url() + version + "/");
    for (const auto& kv : binary_keys()) ASSERT_TRUE(client.put(kv.key, kv.value)) << version;
    ASSERT_TRUE(client.put("q/outside", "x"));
    auto got = client.get_prefix("p/");
    ASSERT_TRUE(got) << got.error().to_string();
    auto expected = binary_keys();
    std::sort(expected.begin(), expected.end(),
              [](const auto& a, const auto& b) { return a.key < b.key; });
    EXPECT_EQ(*got, expected) << version;
    auto one = client.range("p/a", "p/b");
    ASSERT_TRUE(one);
    EXPECT_EQ(*one, (std::vector<KeyValue>{{"p/a", "1"}}));
    auto deleted = client.delete_prefix("p/");
    ASSERT_TRUE(deleted) << deleted.error().to_string();
    EXPECT_EQ(*deleted, 4);
    EXPECT_TRUE(client.get_prefix("p/")->empty());
    EXPECT_EQ(client.get_prefix("q/")->size(), 1u);
    ASSERT_TRUE(client.delete_prefix(""));
    EXPECT_TRUE(client.get_prefix("")->empty());
  }
}

TEST(EtcdClient, AnEmptyPrefixIsAnEmptyListNotAnError) {
  EtcdServer server;
  Client client(server.gateway_url());
  auto got = client.get_prefix("_kv/nothing/here");
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_TRUE(got->empty());
  auto dump = read_dump(client, {"_kv/nothing/here", "_sd.placement/nothing/m3db"});
  ASSERT_TRUE(dump);
  ASSERT_EQ(dump->prefixes.size(), 2u);
  EXPECT_TRUE(dump->prefixes[1].keys.empty());
}

TEST(EtcdClient, LargeRangesArePagedAndComplete) {
  EtcdServer server;
  Client client(server.gateway_url(), {std::chrono::milliseconds(5000), /*page_size=*/3});
  std::vector<KeyValue> expected;
  for (int i = 0; i < 10; ++i) {
    expected.push_back({fmt::format("page/{:02}", i), std::string(static_cast<size_t>(i), 'x')});
    ASSERT_TRUE(client.put(expected.back().key, expected.back().value));
  }
  auto got = client.get_prefix("page/");
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_EQ(*got, expected);
}

TEST(EtcdClient, DumpRestoreReplacesThePrefixesOnly) {
  EtcdServer server;
  Client client(server.gateway_url());
  for (const auto& kv : binary_keys()) ASSERT_TRUE(client.put(kv.key, kv.value));
  ASSERT_TRUE(client.put("other", "kept"));
  auto dump = read_dump(client, {"p/", "none/"});
  ASSERT_TRUE(dump);
  ASSERT_TRUE(client.put("p/stray", "removed by the restore"));
  ASSERT_TRUE(client.delete_range("p/a", "p/b"));
  ASSERT_TRUE(client.put("none/stray", "removed too"));
  ASSERT_TRUE(restore_dump(client, *dump));
  auto again = read_dump(client, {"p/", "none/"});
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *dump);
  EXPECT_EQ(*client.get_prefix("other"), (std::vector<KeyValue>{{"other", "kept"}}));
}

TEST(EtcdClient, EtcdDownIsRetryableAndNamesTheUrlAndPrefix) {
  EtcdServer server;
  Client client(server.gateway_url());
  server.kill();
  auto got = client.get_prefix("_sd.placement/env/m3db");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(got.error().retryable);
  const auto& message = got.error().message;
  EXPECT_NE(message.find("etcd at " + server.gateway_url()), std::string::npos) << message;
  EXPECT_NE(message.find("kv/range of prefix '_sd.placement/env/m3db'"), std::string::npos)
      << message;
  auto put = client.put("k", "v");
  ASSERT_FALSE(put);
  EXPECT_NE(put.error().message.find("kv/put of key 'k'"), std::string::npos)
      << put.error().message;
}

TEST(EtcdClient, AWrongGatewayPathIsAPermanentErrorNamingIt) {
  EtcdServer server;
  Client client(server.url() + "/v2");
  auto got = client.get_prefix("a");
  ASSERT_FALSE(got);
  EXPECT_FALSE(got.error().retryable);
  const auto& message = got.error().message;
  EXPECT_NE(message.find(server.url() + "/v2"), std::string::npos) << message;
  EXPECT_NE(message.find("answered HTTP 404"), std::string::npos) << message;
}

TEST(EtcdClient, AServerThatNeverAnswersTimesOut) {
  // A socket that listens but never accepts: connects succeed, answers never come.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  Client client("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/v3",
                {std::chrono::milliseconds(300), 1000});
  auto start = std::chrono::steady_clock::now();
  auto got = client.get_prefix("slow/");
  auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  ASSERT_FALSE(got);
  EXPECT_TRUE(got.error().retryable);
  EXPECT_NE(got.error().message.find("prefix 'slow/'"), std::string::npos) << got.error().message;
  EXPECT_LT(took, std::chrono::seconds(3));
}

}  // namespace
}  // namespace astacus::plugins::etcd
