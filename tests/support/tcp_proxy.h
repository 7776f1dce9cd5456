#pragma once
// A TCP proxy on 127.0.0.1 in front of another local port, which drops connections on demand:
// when the client-to-server bytes of a connection contain `marker` (e.g. "partNumber=2") and
// drops remain, it either forwards that chunk (a request cut short mid-body) and closes both
// sides (kRequest), or lets the request through and closes both sides as soon as the server
// starts answering, so the server did the work but the client never hears of it (kResponse).
// Deterministic fault injection for "connection dropped mid-upload" tests.
// RAII: the destructor stops every thread and closes every socket.

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace astacus::testing {

enum class DropMode { kRequest, kResponse };

class DroppingProxy {
 public:
  /// `drops` < 0: drop every matching connection.
  DroppingProxy(int target_port, std::string marker, int drops, DropMode mode = DropMode::kRequest);
  ~DroppingProxy();
  DroppingProxy(const DroppingProxy&) = delete;
  DroppingProxy& operator=(const DroppingProxy&) = delete;

  int port() const { return port_; }
  /// How many connections were dropped so far.
  int dropped() const { return dropped_.load(); }
  /// How many times the marker went through or was dropped (once per request carrying it).
  int seen() const { return seen_.load(); }

 private:
  void accept_loop();
  void serve(int client_fd);
  bool should_drop();

  int target_port_;
  std::string marker_;
  DropMode mode_;
  std::atomic<int> drops_left_;
  std::atomic<int> dropped_{0};
  std::atomic<int> seen_{0};
  int listen_fd_ = -1;
  int port_ = 0;
  int stop_pipe_[2] = {-1, -1};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
};

}  // namespace astacus::testing
