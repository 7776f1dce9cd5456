// Every file in examples/ and every Python compat fixture config must load (spec §12 case 3).
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "config/document.h"
#include "config/parse.h"
#include "config/tests/test_util.h"

namespace astacus::config {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::TempDir;
using testing::write_text;

const fs::path kSourceDir = ASTACUS_SOURCE_DIR;
const fs::path kCompatDir = kSourceDir / ".." / "shared" / "compat" / "python-astacus";

std::vector<fs::path> files_in(const fs::path& dir, std::initializer_list<std::string_view> extensions) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string ext = entry.path().extension().string();
    if (std::find(extensions.begin(), extensions.end(), ext) != extensions.end()) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Rewrites /tmp/astacus to `dir`, creates node.root, writes the result next to it and loads it.
Result<GlobalConfig> load_example(const fs::path& example, const TempDir& dir) {
  std::string text = testing::replace_all(read_text(example), "/tmp/astacus", dir.str());
  auto tree = parse_document(text);
  EXPECT_TRUE(tree && tree->contains("node")) << example;
  if (tree && tree->contains("node")) fs::create_directories(tree->at("node").at("root").get<std::string>());
  fs::path copy = dir.path() / example.filename();
  write_text(copy, text);
  return load_config_file(copy);
}

TEST(Examples, EveryExampleLoads) {
  auto examples = files_in(kSourceDir / "examples", {".yaml", ".json"});
  ASSERT_GE(examples.size(), 6U);
  for (const auto& example : examples) {
    TempDir dir;
    auto c = load_example(example, dir);
    ASSERT_TRUE(c) << example << ": " << c.error().to_string();
    EXPECT_EQ(c->config_hash.size(), 64U);
    EXPECT_TRUE(c->node.object_storage) << example;
    EXPECT_TRUE(c->coordinator.object_storage) << example;
    EXPECT_TRUE(c->node.root_link) << example;
  }
}

TEST(Examples, LocalYamlAndJsonAgree) {
  TempDir dir;
  auto yaml = load_example(kSourceDir / "examples" / "astacus-files-local.yaml", dir);
  auto json = load_example(kSourceDir / "examples" / "astacus-files-local.json", dir);
  ASSERT_TRUE(yaml && json);
  EXPECT_EQ(yaml->node.parallel.hashes, 4);
  EXPECT_EQ(yaml->coordinator.plugin_config, json->coordinator.plugin_config);
  EXPECT_EQ(yaml->node.root_link, dir.str() + "/src-link");
  EXPECT_EQ(yaml->uvicorn.log_level, "debug");
  EXPECT_TRUE(json->uvicorn.reload);
}

TEST(Examples, M3Example) {
  TempDir dir;
  auto c = load_example(kSourceDir / "examples" / "astacus-m3-gcs.json", dir);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->coordinator.plugin, "m3db");
  EXPECT_EQ(c->coordinator.retention.keep_days, 0);
  EXPECT_EQ(c->coordinator.retention.maximum_backups, 2);
  EXPECT_EQ(c->node.parallel.uploads, 2);
  EXPECT_EQ(c->node.statsd->port, 8125);
  EXPECT_EQ(c->node.object_storage->encryption_key_id, "key1");
  EXPECT_TRUE(std::holds_alternative<GoogleStorageConfig>(c->node.object_storage->storages.at("storage1")));
}

std::vector<fs::path> compat_configs() {
  std::vector<fs::path> out;
  for (const auto& fixture : fs::directory_iterator(kCompatDir)) {
    if (!fs::is_directory(fixture.path() / "config")) continue;
    for (const auto& f : files_in(fixture.path() / "config", {".yaml"})) out.push_back(f);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Compat, EveryPythonFixtureConfigLoads) {
  ASSERT_TRUE(fs::is_directory(kCompatDir)) << kCompatDir << " is missing";
  auto configs = compat_configs();
  ASSERT_GE(configs.size(), 9U);
  for (const auto& path : configs) {
    TempDir dir;
    fs::path copy = dir.path() / path.filename();
    write_text(copy, testing::substitute_placeholders(read_text(path), dir.path()));
    auto c = load_config_file(copy);
    ASSERT_TRUE(c) << path << ": " << c.error().to_string();
    std::string fixture = path.parent_path().parent_path().filename().string();
    const ObjectStorageConfig& os = *c->node.object_storage;
    EXPECT_EQ(c->coordinator.plugin, "files");
    EXPECT_EQ(c->coordinator.nodes.size(), fixture.find("3node") != std::string::npos ? 3U : 1U) << fixture;
    EXPECT_EQ(c->coordinator.retention.minimum_backups, 1);
    EXPECT_EQ(c->node.parallel.downloads, 2);
    EXPECT_EQ(c->uvicorn.log_level, "warning");
    EXPECT_EQ(c->uvicorn.port, 15515 + (path.stem().string().back() - '0'));
    EXPECT_TRUE(std::holds_alternative<LocalStorageConfig>(os.storages.at("local")));
    for (std::string algo : {"zstd", "lzma", "snappy"}) {
      if (fixture.find(algo) != std::string::npos) {
        EXPECT_EQ(os.compression.algorithm, algo) << fixture;
      }
    }
    if (fixture.find("rsa") != std::string::npos) {
      EXPECT_EQ(os.encryption_key_id, "k1") << fixture;
      EXPECT_TRUE(os.encryption_keys.at("k1").private_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    }
    if (fixture == "files-rsa-only-1node") {
      EXPECT_EQ(os.compression.algorithm, std::nullopt);
    }
    if (fixture == "files-zstd-level19-1node") {
      EXPECT_EQ(os.compression.level, 19);
    }
  }
}

// The malformed configs Python Astacus was started with (cli/067..077) and what we answer.
TEST(Compat, BadConfigsFromThePythonCapture) {
  fs::path cli = kCompatDir / "files-zstd-3node" / "cli";
  ASSERT_TRUE(fs::is_directory(cli)) << cli << " is missing";
  struct Case {
    const char* dir;
    const char* file;
    const char* expected;  // "" = loads fine
  };
  const Case cases[] = {
      {"067-server-bad-config-yaml-syntax-error", "yaml-syntax-error.yaml", "YAML syntax error at line "},
      {"068-server-bad-config-unknown-top-level-key", "unknown-top-level-key.yaml", "nodes: unknown key"},
      {"069-server-bad-config-unknown-key-in-node", "unknown-key-in-node.yaml", "node.rooot: unknown key"},
      {"070-server-bad-config-missing-node-db_path", "missing-node-db_path.yaml", "node.db_path: required key missing"},
      {"071-server-bad-config-node-root-does-not-exist", "node-root-does-not-exist.yaml", "node.root: directory \""},
      {"072-server-bad-config-invalid-compression-algorithm", "invalid-compression-algorithm.yaml",
       "object_storage.compression.algorithm: expected one of lzma, snappy, zstd, got \"gzip\""},
      {"073-server-bad-config-missing-uvicorn-log_level", "missing-uvicorn-log_level.yaml", ""},
      {"074-server-bad-config-invalid-plugin", "invalid-plugin.yaml", "coordinator.plugin: expected one of "},
      {"075-server-bad-config-empty-file", "empty-file.yaml", "empty configuration"},
      {"076-server-bad-config-json-config-valid", "json-config-valid.json", ""},
  };
  for (const Case& k : cases) {
    TempDir dir;
    fs::path source = cli / k.dir / k.file;
    ASSERT_TRUE(fs::exists(source)) << source;
    std::string text = testing::replace_all(read_text(source), "${BAD_CONFIG_DIR}", dir.str());
    fs::path copy = dir.path() / k.file;
    write_text(copy, testing::substitute_placeholders(text, dir.path()));
    auto c = load_config_file(copy);
    if (std::string(k.expected).empty()) {
      EXPECT_TRUE(c) << k.dir << ": " << c.error().to_string();
      continue;
    }
    ASSERT_FALSE(c) << k.dir;
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument) << k.dir;
    std::string prefix = copy.string() + ": " + k.expected;
    EXPECT_TRUE(c.error().message.starts_with(prefix)) << c.error().message << "\nexpected prefix: " << prefix;
  }
  TempDir dir;
  auto missing = load_config_file(dir.path() / "does-not-exist.yaml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace astacus::config
