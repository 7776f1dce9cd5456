#pragma once
// Test helpers: an in-process httplib server on 127.0.0.1 (free port, stopped and joined in the
// destructor even when a test fails) and a fake clock whose sleeps only advance fake time.

#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "cli/context.h"

namespace astacus::cli::testing {

class TestServer {
 public:
  TestServer() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TestServer() {
    server_.stop();
    thread_.join();
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  httplib::Server& server() { return server_; }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

struct FakeClock {
  double now = 1000.0;
  std::vector<double> sleeps;

  Clock clock() {
    return Clock{[this] { return now; },
                 [this](double s) {
                   sleeps.push_back(s);
                   now += s;
                 }};
  }
};

}  // namespace astacus::cli::testing
