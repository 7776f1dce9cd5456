#include "support/cluster.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

namespace astacus::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  char tmpl[] = "/tmp/astacus-test-XXXXXX";
  path_ = ::mkdtemp(tmpl);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

TestCluster::TestCluster(ClusterOptions options) : options_(std::move(options)) {
  storage_ = dir_.path() / "storage";
  fs::create_directories(storage_);
  for (int i = 0; i < options_.nodes; ++i) {
    roots_.push_back(dir_.path() / ("node" + std::to_string(i)) / "root");
    fs::create_directories(roots_.back());
    ports_.push_back(free_port());
    configs_.push_back(dir_.path() / ("node" + std::to_string(i)) / "astacus.json");
  }
  for (int i = 0; i < options_.nodes; ++i) {
    auto node_dir = dir_.path() / ("node" + std::to_string(i));
    nlohmann::json nodes = nlohmann::json::array();
    for (int j = 0; j < options_.nodes; ++j) nodes.push_back({{"url", url(j) + "/node"}});
    nlohmann::json compression = nlohmann::json::object();
    if (!options_.compression.empty()) compression = {{"algorithm", options_.compression}};
    nlohmann::json coordinator = {
        {"plugin", "files"},
        {"plugin_config", {{"root_globs", options_.root_globs}}},
        {"nodes", nodes},
        {"backup_attempts", options_.backup_attempts},
        {"default_lock_ttl", options_.lock_ttl},
        {"poll", {{"delay_start", options_.poll_delay_start}, {"delay_max", 1.0}}}};
    if (!options_.retention.is_null()) coordinator["retention"] = options_.retention;
    nlohmann::json config = {
        {"coordinator", coordinator},
        {"node",
         {{"root", roots_[i].string()},
          {"root_link", (node_dir / "link").string()},
          {"db_path", (node_dir / "db").string()},
          {"parallel", {{"hashes", 2}, {"uploads", 2}, {"downloads", 2}}}}},
        {"object_storage",
         {{"temporary_directory", (node_dir / "tmp").string()},
          {"default_storage", "local"},
          {"compression", compression},
          {"storages", {{"local", {{"storage_type", "local"}, {"directory", storage_.string()}}}}}}},
        {"uvicorn", {{"host", "127.0.0.1"}, {"port", ports_[i]}, {"log_level", "info"}}}};
    write_config(static_cast<size_t>(i), config);
  }
  servers_.resize(roots_.size());
}

TestCluster::~TestCluster() {
  for (auto& s : servers_) s.reset();
}

std::string TestCluster::url(size_t i) const {
  return "http://127.0.0.1:" + std::to_string(ports_.at(i));
}

nlohmann::json TestCluster::config(size_t i) const {
  std::ifstream in(configs_.at(i));
  return nlohmann::json::parse(in);
}

void TestCluster::write_config(size_t i, const nlohmann::json& config) {
  std::ofstream out(configs_.at(i));
  out << config.dump(2);
}

void TestCluster::start() {
  for (size_t i = 0; i < size(); ++i) start_node(i);
}

void TestCluster::start_node(size_t i) {
  servers_.at(i).reset();
  servers_.at(i) = std::make_unique<ServerProcess>(
      configs_.at(i), url(i), dir_.path() / ("node" + std::to_string(i)) / "server.log");
}

void TestCluster::stop_node(size_t i) { servers_.at(i).reset(); }

CommandResult TestCluster::cli(const std::vector<std::string>& args, size_t node) {
  std::vector<std::string> full = {"-u", url(node)};
  full.insert(full.end(), args.begin(), args.end());
  return run_astacus(full);
}

std::vector<std::string> TestCluster::stored_objects(const std::string& sub) const {
  std::vector<std::string> names;
  if (!fs::exists(storage_ / sub)) return names;
  for (const auto& e : fs::directory_iterator(storage_ / sub)) {
    auto name = e.path().filename().string();
    if (name.size() > 9 && name.substr(name.size() - 9) == ".metadata") continue;
    if (name[0] == '.') continue;
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TreeState read_tree(const fs::path& root) {
  TreeState tree;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && it->path().filename() == ".astacus") {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || it->is_symlink()) continue;
    struct stat st {};
    ::lstat(it->path().c_str(), &st);
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    tree[fs::relative(it->path(), root).string()] =
        FileState{ss.str(), static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                  st.st_ino};
  }
  return tree;
}

void write_file(const fs::path& path, const std::string& content, int64_t mtime_ns) {
  fs::create_directories(path.parent_path());
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
  timespec times[2];
  times[0].tv_sec = times[1].tv_sec = mtime_ns / 1000000000;
  times[0].tv_nsec = times[1].tv_nsec = mtime_ns % 1000000000;
  ::utimensat(AT_FDCWD, path.c_str(), times, 0);
}

std::string random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    for (size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<char>(v >> (8 * j));
  }
  return out;
}

void wipe(const fs::path& root) {
  for (const auto& e : fs::directory_iterator(root)) fs::remove_all(e.path());
}

}  // namespace astacus::testing
