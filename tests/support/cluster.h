#pragma once
// A real N-node astacus cluster on 127.0.0.1 for system tests: one temp dir holding each
// node's root, link dir, db dir and config, a shared local-directory storage, and one server
// process per node (stopped by the destructor, even when a test fails).

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace astacus::testing {

/// A temp directory removed (recursively) by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct ClusterOptions {
  int nodes = 3;
  std::vector<std::string> root_globs = {"**"};
  std::string compression = "zstd";  // "" = none
  nlohmann::json retention;          // null = default
  int backup_attempts = 2;
  double poll_delay_start = 0.2;
  int64_t lock_ttl = 60;
};

class TestCluster {
 public:
  explicit TestCluster(ClusterOptions options = {});
  ~TestCluster();

  /// Starts every server (or only node i).
  void start();
  void start_node(size_t i);
  ServerProcess& server(size_t i) { return *servers_.at(i); }
  void stop_node(size_t i);

  size_t size() const { return roots_.size(); }
  const std::filesystem::path& root(size_t i) const { return roots_.at(i); }
  const std::filesystem::path& storage_dir() const { return storage_; }
  const std::filesystem::path& config_path(size_t i) const { return configs_.at(i); }
  const std::filesystem::path& work_dir() const { return dir_.path(); }
  std::string url(size_t i) const;
  int port(size_t i) const { return ports_.at(i); }
  /// The config of node i as JSON (edit and write_config to change it).
  nlohmann::json config(size_t i) const;
  void write_config(size_t i, const nlohmann::json& config);

  /// `astacus -u <node i url> args...`
  CommandResult cli(const std::vector<std::string>& args, size_t node = 0);

  /// Names (base names) of objects in storage dir/<sub> ("data" or "json").
  std::vector<std::string> stored_objects(const std::string& sub) const;

 private:
  ClusterOptions options_;
  TempDir dir_;
  std::filesystem::path storage_;
  std::vector<std::filesystem::path> roots_, configs_;
  std::vector<int> ports_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
};

/// What a file tree looks like: relative path -> (sha256-free content, mtime_ns).
struct FileState {
  std::string content;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  bool operator==(const FileState& o) const { return content == o.content && mtime_ns == o.mtime_ns; }
};
using TreeState = std::map<std::string, FileState>;

/// Reads every regular file under root (skipping `.astacus`).
TreeState read_tree(const std::filesystem::path& root);
/// Writes a file with exactly this content and mtime.
void write_file(const std::filesystem::path& path, const std::string& content, int64_t mtime_ns);
/// Deterministic pseudo-random bytes.
std::string random_bytes(size_t n, uint64_t seed);
/// Deletes everything under root (keeps root).
void wipe(const std::filesystem::path& root);

}  // namespace astacus::testing
