#pragma once
// Talking to every node of the cluster (spec §7, §8.2): lock/relock/unlock in parallel, and
// "run a node op on these nodes and poll until every result is final".
// Thread-safe: one Cluster may be used by an op and its relock thread at once.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "config/types.h"
#include "http/client.h"
#include "manifest/types.h"

namespace astacus::coordinator {

/// Wakes a poller early when a node PUTs its sub-result.
class SubResultSignal {
 public:
  void notify();
  /// Waits up to `seconds` or until notified (or stop() is true); clears the signal.
  void wait(double seconds, const std::function<bool()>& stop);

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool signalled_ = false;
};

enum class LockOutcome { kOk, kFailure, kException };

/// Reads one node's status answer as it arrives, instead of into NodeOpResult::body: a
/// snapshot's answer lists every file of the node (~200 bytes each).
class NodeAnswerStream {
 public:
  virtual ~NodeAnswerStream() = default;
  virtual Status write(std::string_view bytes) = 0;
  /// After the last bytes: the answer without its big parts (its summary is read from this), or
  /// nullopt when the stream could not read it; the answer is then fetched again whole.
  virtual Result<std::optional<std::string>> finish() = 0;
};

/// The request body of node `index` (JSON object text), or nullopt to skip the node. Asked for
/// just before the node is started, so only one big body (an upload's blob list) exists at a
/// time.
using NodeBodies = std::function<std::optional<std::string>(size_t index)>;

/// Makes the stream for one poll of node `index` (each poll gets a new one). The maker may keep
/// a share of it, to take what it read once the poll finds the answer final.
using NodeAnswerStreams = std::function<std::shared_ptr<NodeAnswerStream>(size_t index)>;

class Cluster {
 public:
  Cluster(std::vector<config::CoordinatorNode> nodes, config::PollConfig poll);

  size_t size() const { return nodes_.size(); }
  const std::vector<config::CoordinatorNode>& nodes() const { return nodes_; }

  /// Locks every node; any failure dominates (spec §7.1). Does not unlock on failure.
  /// `problems` (optional) receives one line per node that did not lock, naming it.
  LockOutcome lock(const std::string& locker, int64_t ttl, std::string* problems = nullptr);
  LockOutcome relock(const std::string& locker, int64_t ttl);
  void unlock(const std::string& locker);

  /// One node's final answer to an op.
  struct NodeOpResult {
    nlohmann::json summary;  // the result without its big members "state" and "hashes"
    std::string body;        // the whole result text, for the steps that need those
    bool streamed = false;   // body lacks the big parts: the stream made for this poll read them
  };

  /// Starts POST <node>/<subpath> with body_of(i) on each node i that has a body ("result_url"
  /// added), then polls until every result is final. Bodies are text so a step can write a big
  /// one (an upload's blob list) without a DOM; each is freed once sent. Returns results (null summaries for
  /// skipped nodes). Fails naming the node when a start fails, a node reports failure, or polling
  /// fails `maximum_failures` times in a row. `on_progress` gets the merged progress.
  /// `on_final` (optional) gets each node's result as soon as it is final, so a step can convert
  /// and drop a big body before the next node's arrives; its error ends the op. With
  /// `answer_streams`, each poll's answer goes through a new stream as it arrives; an answer a
  /// stream could not read (or an HTTP error status) is fetched again whole.
  Result<std::vector<NodeOpResult>> run_node_op(
      const std::string& subpath, const NodeBodies& body_of,
      const std::string& result_url, SubResultSignal& signal,
      const std::function<void(const manifest::Progress&)>& on_progress,
      const std::function<bool()>& cancelled,
      const std::function<Status(size_t, NodeOpResult&)>& on_final = nullptr,
      const NodeAnswerStreams& answer_streams = nullptr);

  /// GET <node>/metadata of every node (nullopt for unreachable ones).
  std::vector<std::optional<nlohmann::json>> metadata();

 private:
  LockOutcome call_all(const std::string& path_and_query, std::string* problems = nullptr);
  Result<std::string> start_on_node(size_t index, const std::string& subpath, std::string body);
  /// GETs a status URL, through a stream when there are `streams` (`streamed` says whether the
  /// body is then the stream's skeleton).
  Result<http::Response> fetch_status(size_t index, const std::string& url, const NodeAnswerStreams& streams,
                                      bool& streamed) const;

  std::vector<config::CoordinatorNode> nodes_;
  config::PollConfig poll_;
};

}  // namespace astacus::coordinator
