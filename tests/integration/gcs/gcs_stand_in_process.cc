// Starting, stopping and driving the gcs_stand_in executable from tests.
#include "gcs_stand_in_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "http/client.h"

namespace astacus::testing {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

pid_t spawn(const std::vector<std::string>& argv, const fs::path& log_path) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  ::dup2(log, 1);
  ::dup2(log, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

}  // namespace

const codec::RsaKeyPem& stand_in_account_key() {
  static const codec::RsaKeyPem key = codec::generate_rsa_key(2048).value();
  return key;
}

GcsStandIn::GcsStandIn(GcsStandInOptions options) {
  std::string pem = options.public_pem.empty() ? stand_in_account_key().public_pem : options.public_pem;
  write_text(dir_.path() / "account.pub.pem", pem);
  fs::path port_file = dir_.path() / "port";
  std::vector<std::string> argv = {GCS_STAND_IN_BIN,      "--public-key", (dir_.path() / "account.pub.pem").string(),
                                   "--client-email",      kStandInEmail,  "--port-file",
                                   port_file.string(),    "--page-size",  std::to_string(options.page_size),
                                   "--token-ttl",         std::to_string(options.token_ttl)};
  for (const auto& bucket : options.buckets) {
    argv.push_back("--bucket");
    argv.push_back(bucket);
  }
  pid_ = spawn(argv, dir_.path() / "stand-in.log");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("gcs_stand_in exited at start: " + log());
    }
    if (port_ == 0 && fs::exists(port_file)) port_ = std::stoi(read_text(port_file));
    if (port_ > 0) {
      auto r = http::request("GET", endpoint() + "/_standin/stats", {std::chrono::milliseconds(500), std::nullopt});
      if (r && r->status == 200) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string text = log();
  kill();
  throw std::runtime_error("gcs_stand_in did not answer: " + text);
}

GcsStandIn::~GcsStandIn() { kill(); }

void GcsStandIn::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string GcsStandIn::log() const { return read_text(dir_.path() / "stand-in.log"); }

nlohmann::json GcsStandIn::credentials() const {
  return {{"type", "service_account"},
          {"project_id", "astacus-test"},
          {"private_key_id", "0123456789abcdef"},
          {"private_key", stand_in_account_key().private_pem},
          {"client_email", kStandInEmail},
          {"client_id", "1234567890"},
          {"token_uri", token_uri()}};
}

config::GoogleStorageConfig GcsStandIn::site_config(const std::string& bucket, const std::string& prefix) const {
  config::GoogleStorageConfig c;
  c.project_id = "astacus-test";
  c.bucket_name = bucket;
  c.credentials = credentials();
  c.prefix = prefix;
  c.endpoint = endpoint();
  return c;
}

nlohmann::json GcsStandIn::storage_json(const std::string& bucket, const std::string& prefix) const {
  return {{"storage_type", "google"}, {"project_id", "astacus-test"}, {"bucket_name", bucket},
          {"prefix", prefix},         {"credentials", credentials()}, {"endpoint", endpoint()}};
}

void GcsStandIn::drop_uploads(uint64_t after, int drops, int skip) const {
  std::string url = fmt::format("{}/_standin/faults?after={}&drops={}&skip={}", endpoint(), after, drops, skip);
  auto r = http::request("POST", url, {std::chrono::milliseconds(5000), std::string()});
  if (!r || r->status != 200) throw std::runtime_error("cannot arm the stand-in's fault knob");
}

nlohmann::json GcsStandIn::stats() const {
  auto r = http::request("GET", endpoint() + "/_standin/stats", {std::chrono::milliseconds(5000), std::nullopt});
  if (!r || r->status != 200) throw std::runtime_error("cannot read the stand-in's stats");
  return nlohmann::json::parse(r->body);
}

}  // namespace astacus::testing
