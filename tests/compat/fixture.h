#pragma once
// Harness for the Python Astacus fixtures in fixtures/python-astacus/: what each fixture says a
// restore must produce (expected.sha256 + expected.meta.tsv, backups.json), the captured HTTP
// exchanges and CLI runs, and FixtureCluster — our own servers started on a private copy of the
// fixture's storage with the fixture's exact node configs (placeholders substituted).
//
// Loaders throw std::runtime_error naming the file when something is missing or malformed, so a
// test that meets an incomplete fixture fails (gtest reports the exception) instead of skipping.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/client.h"
#include "support/cluster.h"
#include "support/process.h"

namespace astacus::compat {

namespace fs = std::filesystem;
using testing::CommandResult;

/// The fixture folders this suite is written for (all must exist).
const std::vector<std::string>& fixture_names();
/// <tests/compat/fixtures/python-astacus>/<fixture>.
fs::path fixture_dir(const std::string& fixture);
/// Whole file as bytes; throws naming the path.
std::string read_text(const fs::path& path);

/// One file a restore must produce (or that a root holds).
struct FileFacts {
  std::string sha256;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileFacts&) const = default;
};
/// "node<i>/<relative path>" -> facts.
using FileMap = std::map<std::string, FileFacts>;

/// Parses source/<label>/expected.sha256 (`<sha256>  node<i>/<path>`) and expected.meta.tsv
/// (`# path\tsize\tmtime_ns` header, then `path\tsize\tmtime_ns`); throws if either is malformed
/// or if they do not list the same paths.
FileMap load_expected(const fs::path& source_dir);
/// Only the entries of node i, with the "node<i>/" prefix removed.
FileMap node_part(const FileMap& files, int node);

struct BackupInfo {
  std::string name;     // manifest name, "backup-..."
  std::string storage;  // storage name in the config
  std::string source;   // "source/<label>"
  int nodes = 0, files = 0, blobs_referenced = 0, embedded_files = 0;
};

struct FixtureInfo {
  std::string name;
  fs::path dir;
  int nodes = 0;                    // number of config/node<i>.yaml
  std::vector<BackupInfo> backups;  // sorted by name (= by time)
  std::map<std::string, int> blobs_per_storage;
  const BackupInfo& backup(size_t i) const { return backups.at(i); }
  FileMap expected(const BackupInfo& b) const { return load_expected(dir / b.source); }
  /// Plain manifest JSON as Python wrote it (manifests-plaintext/<name>.json).
  nlohmann::json plaintext_manifest(const BackupInfo& b) const;
};
/// Checks the folder layout (README.md, backups.json, config/, storage/json, source/...).
FixtureInfo load_fixture(const std::string& fixture);

/// http/NNN-*.txt: REQUEST, NODE, optional REQUEST-CONTENT-TYPE/REQUEST-BODY, STATUS,
/// CONTENT-TYPE, blank line, raw body (the trailing newline of the file is not part of it).
struct CapturedExchange {
  std::string method, path;  // "GET", "/backup/9999"
  std::string node;          // "node0 (port ${PORT0})"
  std::optional<std::string> request_body;
  int status = 0;
  std::string content_type;
  std::string body;
  nlohmann::json json() const;
};
CapturedExchange load_exchange(const std::string& fixture, const std::string& file_name);

/// cli/NNN-*/: command.txt, stdout.txt, stderr.txt, exit_code.txt.
struct CapturedCli {
  std::string command, out, err;
  int exit_code = -1;
};
CapturedCli load_cli(const std::string& fixture, const std::string& dir_name);

/// Every non-directory entry below each root (symlinks included, as they would be wrong):
/// "node<i>/<relative path>" -> sha256, size, mtime_ns.
FileMap read_roots(const std::vector<fs::path>& roots);
/// "" when equal, else one line per missing, extra or different file.
std::string diff_files(const FileMap& expected, const FileMap& actual);

struct ClusterOptions {
  /// Servers to run. Unset: one per config/node<i>.yaml. More than the fixture has: the extra
  /// nodes get node 0's config with their own dirs and port. 0: node 0 alone, with an empty
  /// `coordinator.nodes` list. The node list of every config names exactly the running nodes.
  std::optional<int> nodes;
  /// Applied to each substituted config text (node index, YAML) before it is written.
  std::function<void(int, std::string&)> edit_config;
};

/// A fixture's configs run by our server: <tmp>/node<i>/{root,link,db,tmp,cache,astacus.yaml,
/// server.log} and <tmp>/storage (a writable copy of the fixture's storage/).
class FixtureCluster {
 public:
  explicit FixtureCluster(const std::string& fixture, ClusterOptions options = {});
  ~FixtureCluster();
  FixtureCluster(const FixtureCluster&) = delete;
  FixtureCluster& operator=(const FixtureCluster&) = delete;

  /// Starts every server (throws with the server log when one does not come up).
  FixtureCluster& start();
  void start_node(size_t i);
  void stop_node(size_t i);
  testing::ServerProcess& server(size_t i) { return *servers_.at(i); }
  /// The server's process id (found by its unique config path in /proc), -1 if not running.
  pid_t server_pid(size_t i) const;

  const FixtureInfo& info() const { return info_; }
  size_t size() const { return ports_.size(); }
  std::string url(size_t i = 0) const;  // "http://127.0.0.1:<port>"
  int port(size_t i) const { return ports_.at(i); }
  fs::path node_dir(size_t i) const;
  fs::path root(size_t i) const { return node_dir(i) / "root"; }
  fs::path link(size_t i) const { return node_dir(i) / "link"; }
  fs::path config_path(size_t i) const { return node_dir(i) / "astacus.yaml"; }
  std::vector<fs::path> roots() const;
  const fs::path& storage_dir() const { return storage_; }
  const fs::path& work_dir() const { return dir_.path(); }

  /// `astacus -u <url(node)> args...`
  CommandResult cli(const std::vector<std::string>& args, size_t node = 0) const;
  FileMap read_roots() const { return compat::read_roots(roots()); }
  void wipe_roots() const;
  /// Every file below the storage dir, relative and sorted ("data/<hex>", "json/<name>.metadata").
  std::vector<std::string> storage_files() const;
  std::string logs() const;

 private:
  FixtureInfo info_;
  testing::TempDir dir_;
  fs::path storage_;
  std::vector<int> ports_;
  std::vector<std::unique_ptr<testing::ServerProcess>> servers_;
};

// ---- HTTP helpers (a transport failure throws, naming the URL) ----

http::Response send(const std::string& method, const std::string& url,
                    std::optional<std::string> body = std::nullopt);
/// Parses a response body; throws with the body when it is not JSON.
nlohmann::json parse_json(const std::string& text);
/// GET of a coordinator op status as Python Astacus would answer it: the body bytes without our
/// one additive field, "storage_traffic" (README: per-site accounting), order and format kept.
std::string python_view_of_status(const std::string& status_url);
/// Polls a coordinator op status URL until its state is done or fail; returns the last JSON
/// (with "storage_traffic" removed, see python_view_of_status).
nlohmann::json wait_op(const std::string& status_url,
                       std::chrono::seconds timeout = std::chrono::seconds(120));
/// Polls a node op status URL until progress.final; returns the last result JSON.
nlohmann::json wait_node_op(const std::string& status_url,
                            std::chrono::seconds timeout = std::chrono::seconds(60));
/// POSTs a node op (body JSON), expects 200 and returns the final result.
nlohmann::json run_node_op(const std::string& node_url, const std::string& op,
                           const nlohmann::json& body);

/// Replaces the ${PORT0}-style placeholders of a captured body with this cluster's values.
std::string with_ports(std::string text, const FixtureCluster& cluster);

/// Writes `content` to path with this mtime (creating parent dirs).
void write_file(const fs::path& path, const std::string& content, int64_t mtime_ns);

}  // namespace astacus::compat
