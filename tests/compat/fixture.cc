#include "fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "codec/sha256.h"

namespace astacus::compat {

namespace {

[[noreturn]] void fail(const std::string& message) { throw std::runtime_error(message); }

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string strip_one_newline(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

void require_exists(const fs::path& path) {
  if (!fs::exists(path)) fail("fixture incomplete: " + path.string() + " does not exist");
}

// Rewrites the `coordinator.nodes` list of a fixture config (YAML as the fixtures write it:
// "  nodes:" followed by "  - url: ..." lines) to name exactly `urls`.
std::string set_node_list(const std::string& yaml, const std::vector<std::string>& urls) {
  auto lines = split_lines(yaml);
  std::vector<std::string> out;
  bool replaced = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!replaced && lines[i] == "  nodes:") {
      while (i + 1 < lines.size() && lines[i + 1].rfind("  - url: ", 0) == 0) ++i;
      if (urls.empty()) {
        out.push_back("  nodes: []");
      } else {
        out.push_back("  nodes:");
        for (const auto& u : urls) out.push_back("  - url: " + u);
      }
      replaced = true;
      continue;
    }
    out.push_back(lines[i]);
  }
  if (!replaced) fail("config has no '  nodes:' list to rewrite");
  std::string text;
  for (const auto& l : out) text += l + "\n";
  return text;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

}  // namespace

const std::vector<std::string>& fixture_names() {
  static const std::vector<std::string> names = {
      "files-zstd-3node",       "files-lzma-1node",         "files-lzma-rsa-1node",
      "files-snappy-1node",     "files-snappy-rsa-1node",   "files-rsa-only-1node",
      "files-zstd-level19-1node"};
  return names;
}

fs::path fixture_dir(const std::string& fixture) { return fs::path(ASTACUS_COMPAT_DIR) / fixture; }

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

FileMap load_expected(const fs::path& source_dir) {
  FileMap files;
  std::map<std::string, std::string> sums;
  auto sha_path = source_dir / "expected.sha256";
  for (const auto& line : split_lines(read_text(sha_path))) {
    if (line.empty()) continue;
    // sha256sum format: 64 hex, two spaces, path (which may contain spaces).
    if (line.size() < 67 || line.substr(64, 2) != "  ") fail(sha_path.string() + ": bad line: " + line);
    auto sum = line.substr(0, 64);
    if (sum.find_first_not_of("0123456789abcdef") != std::string::npos) {
      fail(sha_path.string() + ": bad digest: " + line);
    }
    if (!sums.emplace(line.substr(66), sum).second) fail(sha_path.string() + ": duplicate: " + line);
  }
  auto meta_path = source_dir / "expected.meta.tsv";
  auto lines = split_lines(read_text(meta_path));
  if (lines.empty() || lines[0] != "# path\tsize\tmtime_ns") fail(meta_path.string() + ": bad header");
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    auto t2 = lines[i].rfind('\t');
    auto t1 = t2 == std::string::npos || t2 == 0 ? std::string::npos : lines[i].rfind('\t', t2 - 1);
    if (t1 == std::string::npos) fail(meta_path.string() + ": bad line: " + lines[i]);
    auto path = lines[i].substr(0, t1);
    FileFacts f;
    f.size = std::stoull(lines[i].substr(t1 + 1, t2 - t1 - 1));
    f.mtime_ns = std::stoll(lines[i].substr(t2 + 1));
    auto sum = sums.find(path);
    if (sum == sums.end()) fail(meta_path.string() + ": " + path + " is not in expected.sha256");
    f.sha256 = sum->second;
    files.emplace(path, f);
  }
  if (files.size() != sums.size()) fail(source_dir.string() + ": expected.sha256 lists more files than meta.tsv");
  return files;
}

FileMap node_part(const FileMap& files, int node) {
  FileMap out;
  std::string prefix = "node" + std::to_string(node) + "/";
  for (const auto& [path, facts] : files) {
    if (path.rfind(prefix, 0) == 0) out.emplace(path.substr(prefix.size()), facts);
  }
  return out;
}

nlohmann::json FixtureInfo::plaintext_manifest(const BackupInfo& b) const {
  return nlohmann::json::parse(read_text(dir / "manifests-plaintext" / (b.name + ".json")));
}

FixtureInfo load_fixture(const std::string& fixture) {
  FixtureInfo info;
  info.name = fixture;
  info.dir = fixture_dir(fixture);
  for (const char* p : {"", "README.md", "backups.json", "config/node0.yaml", "storage/json",
                        "storage/data", "source", "http", "cli", "manifests-plaintext"}) {
    require_exists(info.dir / p);
  }
  while (fs::exists(info.dir / "config" / ("node" + std::to_string(info.nodes) + ".yaml"))) ++info.nodes;
  auto doc = nlohmann::json::parse(read_text(info.dir / "backups.json"));
  for (const auto& [key, value] : doc.items()) {
    if (key == "_blobs_per_storage") {
      for (const auto& [s, n] : value.items()) info.blobs_per_storage[s] = n.get<int>();
      continue;
    }
    BackupInfo b;
    b.name = key;
    b.storage = value.at("storage");
    b.source = value.at("source");
    b.nodes = value.at("nodes");
    b.files = value.at("files");
    b.blobs_referenced = value.at("blobs_referenced");
    b.embedded_files = value.at("embedded_files");
    require_exists(info.dir / "storage" / "json" / b.name);
    require_exists(info.dir / b.source / "expected.sha256");
    require_exists(info.dir / b.source / "expected.meta.tsv");
    info.backups.push_back(b);
  }
  if (info.backups.empty()) fail(fixture + ": backups.json lists no backup");
  std::sort(info.backups.begin(), info.backups.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return info;
}

nlohmann::json CapturedExchange::json() const { return parse_json(body); }

CapturedExchange load_exchange(const std::string& fixture, const std::string& file_name) {
  auto path = fixture_dir(fixture) / "http" / file_name;
  auto text = read_text(path);
  auto split = text.find("\n\n");
  if (split == std::string::npos) fail(path.string() + ": no blank line after the headers");
  CapturedExchange ex;
  ex.body = strip_one_newline(text.substr(split + 2));
  for (const auto& line : split_lines(text.substr(0, split))) {
    auto colon = line.find(": ");
    if (colon == std::string::npos) fail(path.string() + ": bad header " + line);
    auto key = line.substr(0, colon), value = line.substr(colon + 2);
    if (key == "REQUEST") {
      auto sp = value.find(' ');
      ex.method = value.substr(0, sp);
      ex.path = value.substr(sp + 1);
    } else if (key == "NODE") {
      ex.node = value;
    } else if (key == "REQUEST-BODY") {
      ex.request_body = value;
    } else if (key == "STATUS") {
      ex.status = std::stoi(value.substr(0, 3));
    } else if (key == "CONTENT-TYPE") {
      ex.content_type = value;
    }
  }
  if (ex.status == 0 || ex.method.empty()) fail(path.string() + ": no REQUEST or STATUS");
  return ex;
}

CapturedCli load_cli(const std::string& fixture, const std::string& dir_name) {
  auto dir = fixture_dir(fixture) / "cli" / dir_name;
  CapturedCli c;
  c.command = strip_one_newline(read_text(dir / "command.txt"));
  c.out = read_text(dir / "stdout.txt");
  c.err = read_text(dir / "stderr.txt");
  c.exit_code = std::stoi(read_text(dir / "exit_code.txt"));
  return c;
}

FileMap read_roots(const std::vector<fs::path>& roots) {
  FileMap files;
  for (size_t i = 0; i < roots.size(); ++i) {
    for (auto it = fs::recursive_directory_iterator(roots[i]); it != fs::recursive_directory_iterator(); ++it) {
      if (it->is_directory() && !it->is_symlink()) continue;
      struct stat st {};
      if (::lstat(it->path().c_str(), &st) != 0) fail("cannot stat " + it->path().string());
      FileFacts f;
      f.size = static_cast<uint64_t>(st.st_size);
      f.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
      f.sha256 = S_ISREG(st.st_mode) ? codec::sha256_hex(read_text(it->path())) : "<not a regular file>";
      files.emplace("node" + std::to_string(i) + "/" + fs::relative(it->path(), roots[i]).string(), f);
    }
  }
  return files;
}

std::string diff_files(const FileMap& expected, const FileMap& actual) {
  std::ostringstream out;
  auto show = [](const FileFacts& f) {
    return "sha256 " + f.sha256.substr(0, 16) + "… size " + std::to_string(f.size) + " mtime_ns " +
           std::to_string(f.mtime_ns);
  };
  for (const auto& [path, e] : expected) {
    auto a = actual.find(path);
    if (a == actual.end()) {
      out << "missing: " << path << "\n";
    } else if (!(a->second == e)) {
      out << "differs: " << path << "\n  expected " << show(e) << "\n  actual   " << show(a->second) << "\n";
    }
  }
  for (const auto& [path, a] : actual) {
    if (!expected.count(path)) out << "extra:   " << path << " (" << show(a) << ")\n";
  }
  return out.str();
}

// ---- FixtureCluster ----

FixtureCluster::FixtureCluster(const std::string& fixture, ClusterOptions options)
    : info_(load_fixture(fixture)) {
  int running = options.nodes.value_or(info_.nodes);
  int with_dirs = std::max(running, 1);
  storage_ = dir_.path() / "storage";
  // The fixture files are read-only; cleanup and our uploads need a writable copy (plain
  // create_directories, not fs::copy, which would copy the read-only directory modes).
  fs::create_directories(storage_);
  for (auto& e : fs::recursive_directory_iterator(info_.dir / "storage")) {
    auto to = storage_ / fs::relative(e.path(), info_.dir / "storage");
    if (e.is_directory()) {
      fs::create_directories(to);
    } else {
      fs::copy_file(e.path(), to);
      fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add);
    }
  }
  for (int i = 0; i < with_dirs; ++i) {
    ports_.push_back(testing::free_port());
    for (const char* d : {"root", "link", "db", "tmp", "cache"}) fs::create_directories(node_dir(i) / d);
  }
  std::vector<std::string> node_urls;
  for (int i = 0; i < running; ++i) node_urls.push_back(url(i) + "/node");
  for (int i = 0; i < with_dirs; ++i) {
    std::string yaml;
    if (i < info_.nodes) {
      yaml = read_text(info_.dir / "config" / ("node" + std::to_string(i) + ".yaml"));
    } else {
      // A node the fixture did not have: node 0's config with this node's own dirs and port.
      yaml = read_text(info_.dir / "config" / "node0.yaml");
      yaml = replace_all(yaml, "${NODE0_", "${NODE" + std::to_string(i) + "_");
      yaml = replace_all(yaml, "port: ${PORT0}", "port: ${PORT" + std::to_string(i) + "}");
    }
    // Node list first: it may name fixture nodes (${PORT<j>}) that this cluster does not run.
    yaml = set_node_list(yaml, node_urls);
    std::map<std::string, std::string> values = {{"STORAGE", storage_.string()}};
    for (int j = 0; j < with_dirs; ++j) {
      auto n = std::to_string(j);
      values["PORT" + n] = std::to_string(ports_[j]);
      values["NODE" + n + "_ROOT"] = (node_dir(j) / "root").string();
      values["NODE" + n + "_LINK"] = (node_dir(j) / "link").string();
      values["NODE" + n + "_DB"] = (node_dir(j) / "db").string();
      values["NODE" + n + "_TMP"] = (node_dir(j) / "tmp").string();
      values["NODE" + n + "_CACHE"] = (node_dir(j) / "cache").string();
    }
    static const std::regex placeholder(R"(\$\{([A-Z0-9_]+)\})");
    std::string out;
    auto begin = std::sregex_iterator(yaml.begin(), yaml.end(), placeholder);
    size_t last = 0;
    for (auto m = begin; m != std::sregex_iterator(); ++m) {
      auto v = values.find((*m)[1]);
      if (v == values.end()) fail(fixture + ": unknown placeholder " + m->str());
      out += yaml.substr(last, m->position() - last) + v->second;
      last = m->position() + m->length();
    }
    out += yaml.substr(last);
    if (options.edit_config) options.edit_config(i, out);
    std::ofstream(config_path(i), std::ios::binary) << out;
  }
  servers_.resize(ports_.size());
}

FixtureCluster::~FixtureCluster() {
  for (auto& s : servers_) s.reset();
}

FixtureCluster& FixtureCluster::start() {
  for (size_t i = 0; i < size(); ++i) start_node(i);
  return *this;
}

void FixtureCluster::start_node(size_t i) {
  servers_.at(i).reset();
  servers_.at(i) = std::make_unique<testing::ServerProcess>(config_path(i), url(i), node_dir(i) / "server.log");
}

void FixtureCluster::stop_node(size_t i) { servers_.at(i).reset(); }

pid_t FixtureCluster::server_pid(size_t i) const {
  if (!servers_.at(i) || !servers_.at(i)->running()) return -1;
  auto config = config_path(i).string();
  for (const auto& e : fs::directory_iterator("/proc")) {
    auto name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string wanted = std::string("server") + '\0' + "-c" + '\0' + config + '\0';
    if (cmdline.find(wanted) != std::string::npos) return static_cast<pid_t>(std::stoi(name));
  }
  return -1;
}

std::string FixtureCluster::url(size_t i) const { return "http://127.0.0.1:" + std::to_string(ports_.at(i)); }

fs::path FixtureCluster::node_dir(size_t i) const { return dir_.path() / ("node" + std::to_string(i)); }

std::vector<fs::path> FixtureCluster::roots() const {
  std::vector<fs::path> out;
  for (size_t i = 0; i < size(); ++i) out.push_back(root(i));
  return out;
}

CommandResult FixtureCluster::cli(const std::vector<std::string>& args, size_t node) const {
  std::vector<std::string> full = {"-u", url(node)};
  full.insert(full.end(), args.begin(), args.end());
  return testing::run_astacus(full);
}

void FixtureCluster::wipe_roots() const {
  for (const auto& r : roots()) testing::wipe(r);
}

std::vector<std::string> FixtureCluster::storage_files() const {
  std::vector<std::string> out;
  for (auto& e : fs::recursive_directory_iterator(storage_)) {
    if (!e.is_directory()) out.push_back(fs::relative(e.path(), storage_).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string FixtureCluster::logs() const {
  std::string out;
  for (size_t i = 0; i < size(); ++i) {
    auto path = node_dir(i) / "server.log";
    if (fs::exists(path)) out += "---- node" + std::to_string(i) + " server.log\n" + read_text(path);
  }
  return out;
}

// ---- HTTP helpers ----

http::Response send(const std::string& method, const std::string& url, std::optional<std::string> body) {
  auto r = http::request(method, url, {std::chrono::seconds(30), std::move(body)});
  if (!r) fail(method + " " + url + ": " + r.error().message);
  return *r;
}

nlohmann::json parse_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) fail("not JSON: " + text);
  return j;
}

std::string python_view_of_status(const std::string& status_url) {
  auto r = send("GET", status_url);
  auto j = nlohmann::ordered_json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return r.body;
  j.erase("storage_traffic");
  return j.dump();
}

nlohmann::json wait_op(const std::string& status_url, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto delay = std::chrono::milliseconds(10);
  while (true) {
    auto r = send("GET", status_url);
    if (r.status != 200) fail("GET " + status_url + " -> " + std::to_string(r.status) + " " + r.body);
    auto j = parse_json(r.body);
    auto state = j.value("state", "");
    j.erase("storage_traffic");
    if (state == "done" || state == "fail") return j;
    if (std::chrono::steady_clock::now() > deadline) fail("op did not end in time: " + r.body);
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(200));
  }
}

nlohmann::json wait_node_op(const std::string& status_url, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto delay = std::chrono::milliseconds(10);
  while (true) {
    auto r = send("GET", status_url);
    if (r.status != 200) fail("GET " + status_url + " -> " + std::to_string(r.status) + " " + r.body);
    auto j = parse_json(r.body);
    if (j.contains("progress") && j["progress"].value("final", false)) return j;
    if (std::chrono::steady_clock::now() > deadline) fail("node op did not end in time: " + r.body);
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(200));
  }
}

nlohmann::json run_node_op(const std::string& node_url, const std::string& op, const nlohmann::json& body) {
  auto r = send("POST", node_url + "/" + op, body.dump());
  if (r.status != 200) fail("POST " + node_url + "/" + op + " -> " + std::to_string(r.status) + " " + r.body);
  return wait_node_op(parse_json(r.body).at("status_url"));
}

std::string with_ports(std::string text, const FixtureCluster& cluster) {
  for (size_t i = 0; i < cluster.size(); ++i) {
    text = replace_all(text, "${PORT" + std::to_string(i) + "}", std::to_string(cluster.port(i)));
  }
  return text;
}

void write_file(const fs::path& path, const std::string& content, int64_t mtime_ns) {
  testing::write_file(path, content, mtime_ns);
}

}  // namespace astacus::compat
