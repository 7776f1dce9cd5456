#include "support/process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace astacus::testing {

namespace {

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// In a forked child: stdin from /dev/null, stdout and stderr to these fds, then exec argv.
[[noreturn]] void exec_with_output(const std::vector<std::string>& argv, int out, int err) {
  int null_in = ::open("/dev/null", O_RDONLY);
  ::dup2(null_in, 0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  auto args = c_argv(argv);
  ::execv(args[0], args.data());
  ::_exit(127);
}

/// Forks the child of `options` (its own process group if asked), logging to its log file.
pid_t spawn(const ChildOptions& options) {
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  if (options.own_process_group) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
  }
  for (const auto& [name, value] : options.env) ::setenv(name.c_str(), value.c_str(), 1);
  int log = ::open(options.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  exec_with_output(options.argv, log, log);
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  auto dir = std::filesystem::temp_directory_path() /
             ("astacus-cmd-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
  std::filesystem::create_directories(dir);
  auto out_path = dir / "out", err_path = dir / "err";
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    exec_with_output(argv, out, err);
  }
  CommandResult result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      result.err = "TIMEOUT\n";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp(out_path);
  result.err += slurp(err_path);
  std::filesystem::remove_all(dir);
  return result;
}

CommandResult run_astacus(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  std::vector<std::string> argv = {ASTACUS_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, timeout);
}

ChildProcess::ChildProcess(ChildOptions options) : options_(std::move(options)), pid_(spawn(options_)) {
  if (pid_ < 0) throw std::runtime_error("cannot fork " + options_.name);
  try {
    wait_ready();
  } catch (...) {
    kill();
    throw;
  }
}

ChildProcess::~ChildProcess() { kill(); }

void ChildProcess::wait_ready() {
  const auto& probe = options_.ready;
  auto deadline = std::chrono::steady_clock::now() + probe.timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error(options_.name + " exited at start: " + log());
    }
    auto r = http::request("GET", probe.url, {std::chrono::milliseconds(500), std::nullopt});
    if (r && probe.accepts(*r)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error(options_.name + " did not answer at " + probe.url + " within " +
                           std::to_string(probe.timeout.count()) + " s: " + log());
}

void ChildProcess::kill() {
  if (pid_ <= 0) return;
  if (options_.own_process_group) ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int ChildProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 200; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill();
  return -1;
}

std::string ChildProcess::log() const { return slurp(options_.log_file); }

ServerProcess::ServerProcess(std::filesystem::path config, std::string url,
                             std::filesystem::path log_file)
    : url_(std::move(url)),
      child_({.name = "astacus server",
              .argv = {ASTACUS_BINARY, "server", "-c", config.string()},
              .log_file = std::move(log_file),
              .ready = {.url = url_ + "/"}}) {}

ServerProcess::~ServerProcess() { child_.stop(); }

void ServerProcess::kill() { child_.kill(); }

int ServerProcess::stop() { return child_.stop(); }

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

}  // namespace astacus::testing
