#include "s3rver.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "http/client.h"
#include "support/process.h"

namespace astacus::testing {

namespace fs = std::filesystem;

namespace {

std::string s3rver_binary() {
  const char* env = std::getenv("S3RVER_BIN");
  if (env && *env) return env;
  return std::string(ASTACUS_SOURCE_DIR) + "/.tools/node_modules/.bin/s3rver";
}

fs::path make_temp_dir() {
  std::random_device rd;
  auto dir = fs::temp_directory_path() / ("astacus-s3rver-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  fs::create_directories(dir / "data");
  return dir;
}

}  // namespace

S3rver::S3rver(const std::vector<std::string>& buckets, const std::vector<std::string>& extra_args) : dir_(make_temp_dir()), port_(free_port()) {
  std::string binary = s3rver_binary();
  if (!fs::exists(binary)) {
    fs::remove_all(dir_);
    throw std::runtime_error("s3rver not found at " + binary + " (run scripts/install-deps.sh or set S3RVER_BIN)");
  }
  std::vector<std::string> argv = {binary, "--directory", (dir_ / "data").string(), "--port", std::to_string(port_),
                                   "--address", "127.0.0.1", "--silent"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  for (const auto& b : buckets) {
    argv.push_back("--configure-bucket");
    argv.push_back(b);
  }
  std::string log_path = (dir_ / "s3rver.log").string();
  pid_ = ::fork();
  if (pid_ == 0) {
    // s3rver 3.7 encrypts ListObjectsV2 continuation tokens with DES, which Node 17+ (OpenSSL 3)
    // only offers through the legacy provider; without it every truncated listing is a 500.
    const char* node_options = std::getenv("NODE_OPTIONS");
    std::string options = std::string(node_options ? node_options : "") + " --openssl-legacy-provider";
    ::setenv("NODE_OPTIONS", options.c_str(), 1);
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(log, 1);
    ::dup2(log, 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::string text = log();
      fs::remove_all(dir_);
      throw std::runtime_error("s3rver exited at start: " + text);
    }
    auto r = http::request("GET", endpoint() + "/", {std::chrono::milliseconds(500), std::nullopt});
    if (r && r->status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string text = log();
  kill();
  fs::remove_all(dir_);
  throw std::runtime_error("s3rver did not answer at " + endpoint() + ": " + text);
}

S3rver::~S3rver() {
  kill();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void S3rver::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string S3rver::log() const {
  std::ifstream in(dir_ / "s3rver.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

config::S3StorageConfig S3rver::site_config(const std::string& bucket, const std::string& prefix) const {
  config::S3StorageConfig c;
  c.region = "us-east-1";
  c.bucket_name = bucket;
  c.aws_access_key_id = "S3RVER";
  c.aws_secret_access_key = "S3RVER";
  c.prefix = prefix;
  c.host = "127.0.0.1";
  c.port = port_;
  return c;
}

}  // namespace astacus::testing
