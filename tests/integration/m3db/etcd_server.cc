#include "etcd_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http/client.h"

namespace astacus::testing {

namespace {

constexpr const char* kEtcdBinary = "/usr/bin/etcd";

}  // namespace

EtcdServer::EtcdServer() {
  client_port_ = free_port();
  do {
    peer_port_ = free_port();
  } while (peer_port_ == client_port_);
  url_ = "http://127.0.0.1:" + std::to_string(client_port_);
  std::string peer_url = "http://127.0.0.1:" + std::to_string(peer_port_);
  std::vector<std::string> argv = {kEtcdBinary,
                                   "--name", "astacus-test",
                                   "--data-dir", (dir_.path() / "data").string(),
                                   "--listen-client-urls", url_,
                                   "--advertise-client-urls", url_,
                                   "--listen-peer-urls", peer_url,
                                   "--initial-advertise-peer-urls", peer_url,
                                   "--initial-cluster", "astacus-test=" + peer_url,
                                   "--initial-cluster-state", "new",
                                   "--log-outputs", "stderr"};
  auto log_path = dir_.path() / "etcd.log";
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(log, 1);
    ::dup2(log, 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  try {
    wait_healthy();
  } catch (...) {
    kill();
    throw;
  }
}

EtcdServer::~EtcdServer() { kill(); }

void EtcdServer::wait_healthy() {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("etcd exited at start: " + log());
    }
    auto r = http::request("GET", url_ + "/health", {std::chrono::milliseconds(500), std::nullopt});
    if (r && r->status == 200 && r->body.find("\"true\"") != std::string::npos) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("etcd at " + url_ + " not healthy after 30 s: " + log());
}

void EtcdServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string EtcdServer::log() const {
  std::ifstream in(dir_.path() / "etcd.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace astacus::testing
