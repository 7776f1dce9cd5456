#pragma once
// Child processes for tests. ChildProcess (any server: astacus, s3rver, azurite, etcd) and
// ServerProcess (`astacus server`) are RAII: the destructor kills and reaps the child, so a
// failed ASSERT still stops it. run_command() runs a CLI invocation to the end.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "http/client.h"

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

/// When a child counts as started: a GET of `url` gets an answer that `accepts` takes.
struct ReadyProbe {
  std::string url;
  std::function<bool(const http::Response&)> accepts = [](const http::Response& r) { return r.status == 200; };
  std::chrono::seconds timeout{20};
};

struct ChildOptions {
  std::string name;                                      // in error messages, e.g. "s3rver"
  std::vector<std::string> argv;                         // argv[0] a path
  std::filesystem::path log_file;                        // stdout + stderr (appended); stdin is /dev/null
  std::vector<std::pair<std::string, std::string>> env;  // set in the child
  /// Own process group (kill() SIGKILLs the whole group: node and whatever it spawned), and
  /// dies with the test process (PDEATHSIG).
  bool own_process_group = false;
  ReadyProbe ready;
};

/// A server child process, started and waited on by the constructor; SIGKILLed and reaped by
/// the destructor.
class ChildProcess {
 public:
  /// Throws std::runtime_error "<name> exited at start: <log>" or "<name> did not answer at
  /// <url> within <timeout>: <log>" (after killing it).
  explicit ChildProcess(ChildOptions options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// SIGKILL + reap.
  void kill();
  /// SIGTERM + reap (SIGKILL after 10 s); returns the exit status (-1 if killed or not running).
  int stop();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::string log() const;

 private:
  void wait_ready();

  ChildOptions options_;
  pid_t pid_ = -1;
};

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
  bool running() const { return child_.running(); }
  pid_t pid() const { return child_.pid(); }
  const std::string& url() const { return url_; }
  std::string log() const { return child_.log(); }

 private:
  std::string url_;
  ChildProcess child_;
};

/// A TCP port on 127.0.0.1 that nothing listens on right now.
int free_port();

}  // namespace astacus::testing
