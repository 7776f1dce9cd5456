#pragma once
// Child processes for tests. ServerProcess is RAII: its destructor kills and reaps the
// server, so a failed ASSERT still stops it. run_command() runs a CLI invocation to the end.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace astacus::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs argv (argv[0] a path) with a timeout; output captured.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::seconds timeout = std::chrono::seconds(120));

/// Runs `astacus <args...>`.
CommandResult run_astacus(const std::vector<std::string>& args,
                          std::chrono::seconds timeout = std::chrono::seconds(120));

class ServerProcess {
 public:
  /// Starts `astacus server -c config`, logging to log_file; waits until GET url/ answers.
  ServerProcess(std::filesystem::path config, std::string url, std::filesystem::path log_file);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  /// SIGKILL + reap (simulates a crash or an unreachable node).
  void kill();
  /// SIGTERM + reap; returns the exit status.
  int stop();
  bool running() const { return pid_ > 0; }
  const std::string& url() const { return url_; }
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::string url_;
  std::filesystem::path log_file_;
};

/// A TCP port on 127.0.0.1 that nothing listens on right now.
int free_port();

}  // namespace astacus::testing
