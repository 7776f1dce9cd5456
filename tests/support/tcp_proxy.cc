#include "support/tcp_proxy.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace astacus::testing {

namespace {

bool write_all(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

int connect_local(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

DroppingProxy::DroppingProxy(int target_port, std::string marker, int drops, DropMode mode)
    : target_port_(target_port), marker_(std::move(marker)), mode_(mode), drops_left_(drops) {
  if (::pipe(stop_pipe_) != 0) throw std::runtime_error("pipe failed");
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(listen_fd_, 64) != 0) {
    throw std::runtime_error("proxy: bind/listen failed");
  }
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

DroppingProxy::~DroppingProxy() {
  char c = 'x';
  ssize_t ignored = ::write(stop_pipe_[1], &c, 1);
  (void)ignored;
  acceptor_.join();
  {
    std::lock_guard lock(mu_);
    for (auto& t : workers_) t.join();
  }
  ::close(listen_fd_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

bool DroppingProxy::should_drop() {
  int left = drops_left_.load();
  while (left != 0) {
    if (left < 0) return true;
    if (drops_left_.compare_exchange_weak(left, left - 1)) return true;
  }
  return false;
}

void DroppingProxy::accept_loop() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents) return;
    int client = ::accept(listen_fd_, nullptr, nullptr);
    if (client < 0) continue;
    std::lock_guard lock(mu_);
    workers_.emplace_back([this, client] { serve(client); });
  }
}

void DroppingProxy::serve(int client) {
  int server = connect_local(target_port_);
  if (server < 0) {
    ::close(client);
    return;
  }
  std::string window;  // the last bytes seen from the client, so a marker split across reads is found
  char buf[65536];
  bool open = true;
  bool swallow_response = false;
  while (open) {
    pollfd fds[3] = {{client, POLLIN, 0}, {server, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) continue;
    if (fds[2].revents) break;
    if (fds[0].revents) {
      ssize_t n = ::recv(client, buf, sizeof(buf), 0);
      if (n <= 0) break;
      window.append(buf, static_cast<size_t>(n));
      bool matched = window.find(marker_) != std::string::npos;
      // Keep only a possible marker start, so one occurrence is counted once.
      if (matched) window.clear();
      if (window.size() >= marker_.size()) window.erase(0, window.size() - marker_.size() + 1);
      if (matched) seen_++;
      if (matched && should_drop()) {
        dropped_++;
        if (mode_ == DropMode::kRequest) {
          write_all(server, buf, static_cast<size_t>(n));  // the request arrives cut short
          break;
        }
        swallow_response = true;
      }
      open = write_all(server, buf, static_cast<size_t>(n));
    }
    if (open && fds[1].revents) {
      ssize_t n = ::recv(server, buf, sizeof(buf), 0);
      if (n <= 0 || swallow_response) break;  // the server answered; the client never hears it
      open = write_all(client, buf, static_cast<size_t>(n));
    }
  }
  ::close(client);
  ::close(server);
}

}  // namespace astacus::testing
