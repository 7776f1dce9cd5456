#pragma once
// Helpers shared by the config tests: temp dirs, fixture placeholder substitution, a minimal
// valid config.

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace astacus::config::testing {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "astacus-config-test-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

inline std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

/// Replaces the `${NAME}` placeholders of the Python compat fixtures: PORTn → 15515+n, anything
/// else → <dir>/<name in lowercase>; *_ROOT directories are created (node.root must exist).
inline std::string substitute_placeholders(const std::string& text, const fs::path& dir) {
  static const std::regex kPlaceholder(R"(\$\{([A-Z0-9_]+)\})");
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), kPlaceholder);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    std::string name = m[1].str();
    out += text.substr(last, static_cast<size_t>(m.position(0)) - last);
    if (name.starts_with("PORT")) {
      out += std::to_string(15515 + std::stoi(name.substr(4)));
    } else {
      std::string lower = name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      fs::path value = dir / lower;
      if (name.ends_with("_ROOT")) fs::create_directories(value);
      out += value.string();
    }
    last = static_cast<size_t>(m.position(0) + m.length(0));
  }
  return out + text.substr(last);
}

/// A small valid config whose paths live under `root` (which must exist).
inline std::string minimal_yaml(const std::string& root) {
  return fmt::format(R"(coordinator:
  plugin: files
  plugin_config:
    root_globs: ["*"]
  nodes:
    - url: http://127.0.0.1:5515/node
node:
  root: {0}
  db_path: {0}/db
object_storage:
  temporary_directory: {0}/tmp
  default_storage: x
  compression:
    algorithm: zstd
  storages:
    x:
      storage_type: local
      directory: {0}/storage
uvicorn:
  port: 5515
  log_level: info
)",
                     root);
}

}  // namespace astacus::config::testing
