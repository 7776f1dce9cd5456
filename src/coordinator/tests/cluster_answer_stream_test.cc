// Cluster::run_node_op reads each poll's answer through a NodeAnswerStream, and fetches again
// whole an answer the stream could not read, so that it is read (or its error reported) as
// without a stream. The node is a stand-in HTTP server on 127.0.0.1: our own nodes never send
// the answers a stream gives up on.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "coordinator/cluster.h"
#include "coordinator/node_file_lists.h"
#include "http/server.h"

namespace astacus::coordinator {
namespace {

/// A stand-in node answering POST /node/snapshot and GET /node/snapshot/1 with `answer`.
class StandInNode {
 public:
  explicit StandInNode(std::string answer) : answer_(std::move(answer)) {
    server_.Post("/node/snapshot", [this](const http::Request&, http::Reply& reply) {
      http::send_json(reply, 200, nlohmann::json{{"op_id", 1}, {"status_url", url() + "/snapshot/1"}});
    });
    server_.Get("/node/snapshot/1", [this](const http::Request&, http::Reply& reply) {
      ++gets_;
      http::send_json_text(reply, 200, answer_);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    serving_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~StandInNode() {
    server_.stop();
    serving_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/node"; }
  int gets() const { return gets_; }

 private:
  std::string answer_;
  httplib::Server server_;
  std::atomic<int> gets_{0};
  int port_ = 0;
  std::thread serving_;
};

struct Outcome {
  Result<std::vector<Cluster::NodeOpResult>> results = std::vector<Cluster::NodeOpResult>{};
  bool streamed = false;
  std::optional<manifest::SnapshotResult> taken;
  bool list_kept = false;
};

Outcome snapshot_through_streams(const StandInNode& node) {
  Cluster cluster({{node.url(), "az"}}, config::PollConfig{.delay_start = 0.01, .maximum_failures = 1});
  SubResultSignal signal;
  NodeFileLists lists(1);
  std::shared_ptr<NodeFileLists::AnswerReader> last;
  Outcome out;
  NodeAnswerStreams streams = [&](size_t) -> std::shared_ptr<NodeAnswerStream> {
    last = NodeFileLists::reader();
    return last;
  };
  auto on_final = [&](size_t i, Cluster::NodeOpResult& result) -> Status {
    out.streamed = result.streamed;
    auto read = result.streamed ? lists.take(i, *last) : lists.read(i, result.body);
    if (!read) return make_error(read.error());
    out.taken = std::move(*read);
    return ok();
  };
  NodeBodies body_of = [](size_t) { return std::optional<std::string>("{}"); };
  out.results = cluster.run_node_op("snapshot", body_of, "http://127.0.0.1:1/result", signal, nullptr, nullptr,
                                    on_final, streams);
  out.list_kept = lists.has(0);
  return out;
}

const std::string kFile = R"({"relative_path":"a","file_size":3,"mtime_ns":1,"hexdigest":")" +
                          std::string(64, 'a') + R"("})";
const std::string kTail = R"("hashes":[{"hexdigest":")" + std::string(64, 'a') +
                          R"(","size":3}],"files":1,"total_size":3,"hostname":"h","az":"az",)"
                          R"("progress":{"handled":1,"failed":0,"total":1,"final":true}})";

TEST(StandInNodeAnswerStream, AReadableAnswerIsFetchedOnceAndReadAsItArrives) {
  StandInNode node(R"({"state":{"root_globs":["*"],"files":[)" + kFile + "]}," + kTail);
  Outcome out = snapshot_through_streams(node);
  ASSERT_TRUE(out.results) << out.results.error().message;
  EXPECT_EQ(node.gets(), 1);
  EXPECT_TRUE(out.streamed);
  EXPECT_TRUE(out.list_kept);
  ASSERT_TRUE(out.taken && out.taken->hashes);
  EXPECT_EQ(out.taken->hashes->size(), 1u);
  EXPECT_EQ((*out.results)[0].summary["hostname"], "h");
  EXPECT_FALSE((*out.results)[0].summary.contains("state"));
}

TEST(StandInNodeAnswerStream, AnAnswerTheStreamCannotReadIsFetchedAgainWhole) {
  // "state" twice: the whole-text parser takes the last one; a stream cannot know which.
  StandInNode node(R"({"state":{"files":[]},"state":{"root_globs":["*"],"files":[)" + kFile + "]}," + kTail);
  Outcome out = snapshot_through_streams(node);
  ASSERT_TRUE(out.results) << out.results.error().message;
  EXPECT_EQ(node.gets(), 2);
  EXPECT_FALSE(out.streamed);
  ASSERT_TRUE(out.taken && out.taken->state);
  EXPECT_EQ(out.taken->state->files.size() + (out.list_kept ? 1 : 0), 1u);
}

TEST(StandInNodeAnswerStream, ABadEntryIsReportedAsTheWholeTextParserReportsIt) {
  std::string bad = kFile;
  bad.replace(bad.find("\"mtime_ns\":1"), 12, "\"mtime_ns\":\"x\"");
  StandInNode node(R"({"state":{"root_globs":["*"],"files":[)" + bad + "]}," + kTail);
  Outcome out = snapshot_through_streams(node);
  ASSERT_FALSE(out.results);
  EXPECT_EQ(node.gets(), 2);
  EXPECT_NE(out.results.error().message.find("state.files[0].mtime_ns"), std::string::npos)
      << out.results.error().message;
}

}  // namespace
}  // namespace astacus::coordinator
