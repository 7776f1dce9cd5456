#include "azurite.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http/client.h"
#include "support/process.h"

namespace astacus::testing {

namespace {

std::string azurite_binary() {
  return std::string(ASTACUS_SOURCE_DIR) + "/.tools/node_modules/.bin/azurite-blob";
}

}  // namespace

Azurite::Azurite() {
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (start_on(free_port())) return;
  }
  throw std::runtime_error("azurite-blob did not start: " + log());
}

Azurite::~Azurite() { stop(); }

bool Azurite::start_on(int port) {
  port_ = port;
  auto data = dir_.path() / "data";
  std::filesystem::create_directories(data);
  std::string log_path = (dir_.path() / "azurite.log").string();
  pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int null_in = ::open("/dev/null", O_RDONLY);
    ::dup2(null_in, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    std::vector<std::string> argv = {azurite_binary(), "--blobHost",         "127.0.0.1",
                                     "--blobPort",     std::to_string(port), "--location",
                                     data.string(),    "--silent",           "--skipApiVersionCheck"};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    // Any HTTP answer (even 400 for the bare account URL) means it is serving.
    auto r = http::request("GET", endpoint() + "?comp=list", {std::chrono::milliseconds(500), std::nullopt});
    if (r && r->status > 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop();
  return false;
}

void Azurite::stop() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);  // its process group: node and anything it spawned
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string Azurite::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/" + kAzuriteAccount;
}

config::AzureStorageConfig Azurite::storage_config(const std::string& container) const {
  config::AzureStorageConfig c;
  c.account_name = kAzuriteAccount;
  c.account_key = kAzuriteKey;
  c.bucket_name = container;
  c.host = "127.0.0.1";
  c.port = port_;
  c.is_secure = false;
  return c;
}

nlohmann::json Azurite::storage_json(const std::string& container) const {
  return {{"storage_type", "azure"},    {"account_name", kAzuriteAccount},
          {"account_key", kAzuriteKey}, {"bucket_name", container},
          {"host", "127.0.0.1"},        {"port", port_},
          {"is_secure", false}};
}

void Azurite::create_container(const std::string& container) const {
  auto backend = storage::make_azure_backend("setup", storage_config(container), fast_test_options());
  if (!backend) throw std::runtime_error(backend.error().to_string());
  auto created =
      (*backend)->client().call({"Create Container", "PUT", "", {{"restype", "container"}}, {}, {}});
  if (!created && created.error().message.find("ContainerAlreadyExists") == std::string::npos) {
    throw std::runtime_error("create container '" + container + "': " + created.error().to_string());
  }
}

std::string Azurite::log() const {
  std::ifstream in(dir_.path() / "azurite.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

storage::AzureBackendOptions fast_test_options() {
  storage::AzureBackendOptions o;
  o.retry.max_attempts = 3;
  o.retry.initial_backoff = std::chrono::milliseconds(50);
  o.retry.max_backoff = std::chrono::milliseconds(500);
  o.retry.deadline = std::chrono::milliseconds(20000);
  o.connect_timeout = std::chrono::milliseconds(2000);
  o.read_timeout = std::chrono::seconds(10);
  return o;
}

}  // namespace astacus::testing
