#include <gtest/gtest.h>

#include "config/parse.h"
#include "config/read_config.h"
#include "config/tests/test_util.h"

namespace astacus::config {
namespace {

using testing::minimal_yaml;
using testing::replace_all;
using testing::TempDir;

class ParseTest : public ::testing::Test {
 protected:
  Result<GlobalConfig> parse(const std::string& text) { return parse_config(text, "cfg.yaml"); }
  std::string base() const { return minimal_yaml(dir_.str()); }
  // The minimal config with `from` replaced by `to`.
  std::string edit(const std::string& from, const std::string& to) const {
    std::string text = base();
    EXPECT_NE(text.find(from), std::string::npos) << from;
    return replace_all(text, from, to);
  }
  void expect_error(const std::string& text, const std::string& message) {
    auto config = parse(text);
    ASSERT_FALSE(config) << text;
    EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(config.error().message, message);
  }

  TempDir dir_;
};

TEST_F(ParseTest, MinimalConfigGetsPythonDefaults) {
  auto c = parse(base());
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->source_path, "");
  EXPECT_EQ(c->sentry_dsn, "");
  EXPECT_EQ(c->uvicorn.host, "127.0.0.1");
  EXPECT_EQ(c->uvicorn.port, 5515);
  EXPECT_EQ(c->uvicorn.http, "h11");
  EXPECT_EQ(c->uvicorn.log_level, "info");
  EXPECT_FALSE(c->uvicorn.reload);
  const CoordinatorConfig& co = c->coordinator;
  EXPECT_EQ(co.plugin, "files");
  EXPECT_EQ(co.plugin_config, nlohmann::json::parse(R"({"root_globs": ["*"]})"));
  ASSERT_EQ(co.nodes.size(), 1U);
  EXPECT_EQ(co.nodes[0].url, "http://127.0.0.1:5515/node");
  EXPECT_EQ(co.nodes[0].az, "");
  EXPECT_EQ(co.retention.minimum_backups, 3);
  EXPECT_EQ(co.retention.maximum_backups, std::nullopt);
  EXPECT_EQ(co.retention.keep_days, 7);
  EXPECT_EQ(co.poll.delay_start, 1);
  EXPECT_EQ(co.poll.delay_multiplier, 2);
  EXPECT_EQ(co.poll.delay_max, 60);
  EXPECT_EQ(co.poll.duration, 86400);
  EXPECT_EQ(co.poll.maximum_failures, 5);
  EXPECT_EQ(co.poll.result_timeout, 300);
  EXPECT_EQ(co.default_lock_ttl, 600);
  EXPECT_EQ(co.backup_attempts, 5);
  EXPECT_EQ(co.restore_attempts, 5);
  EXPECT_EQ(co.list_ttl, 3600);
  EXPECT_EQ(co.object_storage_cache, std::nullopt);
  const NodeConfig& n = c->node;
  EXPECT_EQ(n.root, dir_.str());
  EXPECT_EQ(n.root_link, dir_.str() + "/.astacus");
  EXPECT_EQ(n.delta_root_link, dir_.str() + "/.astacus");
  EXPECT_EQ(n.db_path, dir_.str() + "/db");
  int cores = default_parallelism();
  EXPECT_GE(cores, 1);
  EXPECT_LE(cores, 8);
  EXPECT_EQ(n.parallel.downloads, cores);
  EXPECT_EQ(n.parallel.hashes, cores);
  EXPECT_EQ(n.parallel.uploads, cores);
  EXPECT_FALSE(n.copy_root_owner);
  EXPECT_EQ(n.cassandra, std::nullopt);
  EXPECT_EQ(c->statsd, std::nullopt);
  EXPECT_EQ(n.statsd, std::nullopt);
}

TEST_F(ParseTest, ObjectStorageIsPropagated) {
  auto c = parse(base());
  ASSERT_TRUE(c) << c.error().to_string();
  ASSERT_TRUE(c->object_storage);
  for (const auto* os : {&c->coordinator.object_storage, &c->node.object_storage}) {
    ASSERT_TRUE(*os);
    EXPECT_EQ((*os)->default_storage, "x");
    EXPECT_EQ((*os)->compression.algorithm, "zstd");
    EXPECT_EQ((*os)->compression.level, 0);
    ASSERT_TRUE((*os)->storages.contains("x"));
    const auto* local = std::get_if<LocalStorageConfig>(&(*os)->storages.at("x"));
    ASSERT_NE(local, nullptr);
    EXPECT_EQ(local->directory, dir_.str() + "/storage");
    EXPECT_EQ(local->prefix, "");
  }
}

TEST_F(ParseTest, PackSmallBlobsIsOffUnlessSet) {
  auto off = parse(base());
  ASSERT_TRUE(off) << off.error().to_string();
  EXPECT_FALSE(off->object_storage->pack_small_blobs) << "Python Astacus cannot read packs";
  auto on = parse(edit("  default_storage: x\n", "  default_storage: x\n  pack_small_blobs: true\n"));
  ASSERT_TRUE(on) << on.error().to_string();
  EXPECT_TRUE(on->node.object_storage.value().pack_small_blobs);
  auto bad = parse(edit("  default_storage: x\n", "  default_storage: x\n  pack_small_blobs: sometimes\n"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("object_storage.pack_small_blobs"), std::string::npos) << bad.error().message;
}

TEST_F(ParseTest, LocalSectionsAreNotOverridden) {
  std::string text = base() + "statsd: {host: stats.example, port: 9125, tags: {env: prod, n: 1}}\n";
  text = replace_all(text, "node:\n", fmt::format(R"(node:
  statsd: {{message_format: datadog}}
  object_storage:
    temporary_directory: {0}/ntmp
    default_storage: y
    encryption_key_id: k
    encryption_keys: {{k: {{public: PUB, private: PRIV}}}}
    storages: {{y: {{storage_type: local, directory: {0}/y}}}}
)",
                                                  dir_.str()));
  auto c = parse(text);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->coordinator.object_storage->default_storage, "x");
  EXPECT_EQ(c->node.object_storage->default_storage, "y");
  EXPECT_EQ(c->node.object_storage->compression.algorithm, std::nullopt);
  EXPECT_EQ(c->node.object_storage->encryption_keys.at("k").private_pem, "PRIV");
  EXPECT_EQ(c->coordinator.statsd->host, "stats.example");
  EXPECT_EQ(c->coordinator.statsd->port, 9125);
  EXPECT_EQ(c->coordinator.statsd->tags.at("n"), "1");
  EXPECT_EQ(c->node.statsd->message_format, "datadog");
  EXPECT_EQ(c->node.statsd->host, "127.0.0.1");
}

TEST_F(ParseTest, RetentionReplacesTheDefaultWholly) {
  auto c = parse(edit("  nodes:\n", "  retention: {maximum_backups: 4}\n  nodes:\n"));
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->coordinator.retention.minimum_backups, std::nullopt);
  EXPECT_EQ(c->coordinator.retention.maximum_backups, 4);
  EXPECT_EQ(c->coordinator.retention.keep_days, std::nullopt);
}

TEST_F(ParseTest, ParallelSubKeysDefaultToCoreCount) {
  auto c = parse(edit("node:\n", "node:\n  parallel: {hashes: 3}\n"));
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->node.parallel.hashes, 3);
  EXPECT_EQ(c->node.parallel.downloads, default_parallelism());
  EXPECT_EQ(c->node.parallel.uploads, default_parallelism());
}

TEST_F(ParseTest, ExplicitLinksAndNullOptionalsAreKept) {
  auto c = parse(edit("node:\n", "node:\n  root_link: /l\n  delta_root_link: /d\n  az: null\n  statsd: ~\n") +
                 "sentry_dsn:\nstatsd: null\n");
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->node.root_link, "/l");
  EXPECT_EQ(c->node.delta_root_link, "/d");
  EXPECT_EQ(c->node.az, "");
  EXPECT_EQ(c->sentry_dsn, "");
}

TEST_F(ParseTest, LenientScalarsLikePydantic) {
  std::string text = edit("  port: 5515\n", "  port: \"6000\"\n  reload: yes\n  http: auto\n");
  text = replace_all(text, "  nodes:\n", "  default_lock_ttl: 60.0\n  nodes:\n");
  text = replace_all(text, "/node\n", "/node\n      az: 1\n");
  auto c = parse(text);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->uvicorn.port, 6000);
  EXPECT_TRUE(c->uvicorn.reload);
  EXPECT_EQ(c->uvicorn.http, "auto");
  EXPECT_EQ(c->coordinator.default_lock_ttl, 60);
  EXPECT_EQ(c->coordinator.nodes[0].az, "1");
}

TEST_F(ParseTest, UnknownKeyInNode) {
  expect_error(edit("node:\n", "node:\n  rooot: /x\n"), "cfg.yaml: node.rooot: unknown key");
}

TEST_F(ParseTest, UnknownTopLevelKey) { expect_error(base() + "nodes: []\n", "cfg.yaml: nodes: unknown key"); }

TEST_F(ParseTest, UnknownKeyIsReportedBeforeTheMissingOne) {
  expect_error(edit("  db_path:", "  db_pth:"), "cfg.yaml: node.db_pth: unknown key");
}

TEST_F(ParseTest, MissingDbPath) {
  std::string text = edit(fmt::format("  db_path: {}/db\n", dir_.str()), "");
  expect_error(text, "cfg.yaml: node.db_path: required key missing");
}

TEST_F(ParseTest, MissingCoordinatorOrNode) {
  expect_error(edit("coordinator:", "coordinatorx:"), "cfg.yaml: coordinatorx: unknown key");
  expect_error("node: {root: /, db_path: /x}\n", "cfg.yaml: coordinator: required key missing");
  expect_error("coordinator: {plugin: files}\n", "cfg.yaml: node: required key missing");
}

TEST_F(ParseTest, NodeRootMustExist) {
  std::string missing = dir_.str() + "/no-such-root";
  expect_error(edit(fmt::format("  root: {}\n", dir_.str()), fmt::format("  root: {}\n", missing)),
               fmt::format("cfg.yaml: node.root: directory \"{}\" does not exist", missing));
  testing::write_text(dir_.path() / "file", "x");
  std::string file = dir_.str() + "/file";
  expect_error(edit(fmt::format("  root: {}\n", dir_.str()), fmt::format("  root: {}\n", file)),
               fmt::format("cfg.yaml: node.root: \"{}\" is not a directory", file));
}

TEST_F(ParseTest, InvalidCompressionAlgorithm) {
  expect_error(edit("algorithm: zstd", "algorithm: gzip"),
               "cfg.yaml: object_storage.compression.algorithm: expected one of lzma, snappy, zstd, got \"gzip\"");
  auto none = parse(edit("algorithm: zstd", "algorithm: null"));
  ASSERT_TRUE(none) << none.error().to_string();
  EXPECT_EQ(none->object_storage->compression.algorithm, std::nullopt);
}

TEST_F(ParseTest, InvalidPlugin) {
  expect_error(edit("plugin: files", "plugin: nosuch"),
               "cfg.yaml: coordinator.plugin: expected one of files, m3db, cassandra, clickhouse, flink, got \"nosuch\"");
}

TEST_F(ParseTest, OtherEnums) {
  expect_error(edit("  port: 5515\n", "  http: h2\n"),
               "cfg.yaml: uvicorn.http: expected one of auto, h11, httptools, got \"h2\"");
  expect_error(base() + "statsd: {message_format: json}\n",
               "cfg.yaml: statsd.message_format: expected one of telegraf, datadog, got \"json\"");
  expect_error(edit("storage_type: local", "storage_type: ftp"),
               "cfg.yaml: object_storage.storages.x.storage_type: expected one of local, s3, azure, google, got \"ftp\"");
}

TEST_F(ParseTest, WrongTypes) {
  expect_error(edit("port: 5515", "port: \"abc\""), "cfg.yaml: uvicorn.port: expected an integer, got \"abc\"");
  expect_error(edit("port: 5515", "port: 1.5"), "cfg.yaml: uvicorn.port: expected an integer, got 1.5");
  expect_error(edit("port: 5515", "port: 99999"), "cfg.yaml: uvicorn.port: must be in 0..65535");
  expect_error(edit("  port: 5515\n", "  reload: maybe\n"), "cfg.yaml: uvicorn.reload: expected a boolean, got \"maybe\"");
  expect_error(edit("  nodes:\n    - url: http://127.0.0.1:5515/node\n", "  nodes: {}\n"),
               "cfg.yaml: coordinator.nodes: expected a list, got a mapping");
  expect_error(edit("  plugin_config:\n    root_globs: [\"*\"]\n", "  plugin_config: [1]\n"),
               "cfg.yaml: coordinator.plugin_config: expected a mapping, got a list");
  expect_error(edit("  db_path:", "  db_path: [a]\n  x_db_path:"), "cfg.yaml: node.db_path: expected a string, got a list");
  expect_error(edit("uvicorn:\n", "uvicorn: 5\nx:\n"), "cfg.yaml: uvicorn: expected a mapping, got 5");
}

TEST_F(ParseTest, NodeUrlMissingNamesTheListIndex) {
  expect_error(edit("    - url: http://127.0.0.1:5515/node\n", "    - url: http://a/node\n    - az: b\n"),
               "cfg.yaml: coordinator.nodes[1].url: required key missing");
  expect_error(edit("    - url: http://127.0.0.1:5515/node\n", "    - {}\n"),
               "cfg.yaml: coordinator.nodes[0].url: required key missing");
  expect_error(edit("    - url: http://127.0.0.1:5515/node\n", "    - url: null\n"),
               "cfg.yaml: coordinator.nodes[0].url: expected a string, got null");
}

TEST_F(ParseTest, ObjectStorageChecks) {
  expect_error(edit("default_storage: x", "default_storage: z"),
               "cfg.yaml: object_storage.default_storage: \"z\" is not a key of storages");
  expect_error(edit("  default_storage: x\n", ""), "cfg.yaml: object_storage.default_storage: required key missing");
  expect_error(edit("      storage_type: local\n", ""),
               "cfg.yaml: object_storage.storages.x.storage_type: required key missing");
  expect_error(edit("      storage_type: local\n", "      storage_type: local\n      bucket: b\n"),
               "cfg.yaml: object_storage.storages.x.bucket: unknown key");
  expect_error(edit("  default_storage: x\n", "  default_storage: x\n  encryption_key_id: k\n"),
               "cfg.yaml: object_storage.encryption_key_id: \"k\" is not a key of encryption_keys");
  expect_error(edit("  default_storage: x\n", "  default_storage: x\n  encryption_keys: {k: {public: P}}\n"),
               "cfg.yaml: object_storage.encryption_keys.k.private: required key missing");
  expect_error(edit("algorithm: zstd", "algorithm: zstd\n    threads: 2"),
               "cfg.yaml: object_storage.compression.threads: unknown key");
}

std::string storages_yaml(const std::string& storage) {
  return fmt::format(R"(    x:
      storage_type: local
      directory: /d
    s:
{}
)",
                     storage);
}

TEST_F(ParseTest, CloudStorages) {
  std::string local = "    x:\n      storage_type: local\n      directory: " + dir_.str() + "/storage\n";
  auto with = [&](const std::string& storage) { return edit(local, storages_yaml(storage)); };
  auto c = parse(with(R"(      storage_type: s3
      region: eu-west-1
      bucket_name: b
      aws_access_key_id: AK
      aws_secret_access_key: SK
      aws_session_token: ST
      prefix: p/
      host: minio.local
      port: "9000"
      addressing_style: virtual
      is_secure: true
      is_verify_tls: true
      cert_path: /ca.pem
      segment_size: 8388608
      min_multipart_chunk_size: 5242880
      encrypted: false
      proxy_info: {type: http, host: proxy, port: 3128}
      connect_timeout: "2.5"
      read_timeout: 30
      use_dualstack_endpoint: false
      user_agent_extra: astacus)"));
  ASSERT_TRUE(c) << c.error().to_string();
  const auto& s3 = std::get<S3StorageConfig>(c->object_storage->storages.at("s"));
  EXPECT_EQ(s3.region, "eu-west-1");
  EXPECT_EQ(s3.aws_secret_access_key, "SK");
  EXPECT_EQ(s3.port, 9000);
  EXPECT_EQ(s3.addressing_style, "virtual");
  EXPECT_TRUE(s3.is_verify_tls);
  EXPECT_EQ(s3.segment_size, 8388608);
  EXPECT_EQ(s3.proxy_info->type, "http");
  EXPECT_EQ(s3.connect_timeout, 2.5);
  EXPECT_EQ(s3.read_timeout, 30.0);
  EXPECT_FALSE(s3.use_dualstack_endpoint);

  expect_error(with("      storage_type: s3\n      bucket_name: b"),
               "cfg.yaml: object_storage.storages.s.region: required key missing");
  expect_error(with("      storage_type: s3\n      region: r\n      addressing_style: weird"),
               "cfg.yaml: object_storage.storages.s.addressing_style: expected one of auto, path, virtual, got \"weird\"");
  expect_error(with("      storage_type: s3\n      region: r\n      proxy_info: {type: ftp, host: h, port: 1}"),
               "cfg.yaml: object_storage.storages.s.proxy_info.type: expected one of socks5, http, got \"ftp\"");
  expect_error(with("      storage_type: s3\n      region: r\n      proxy_info: {type: http, host: h}"),
               "cfg.yaml: object_storage.storages.s.proxy_info.port: required key missing");

  auto az = parse(with("      storage_type: azure\n      account_name: a\n      bucket_name: c\n      account_key: K\n"
                       "      azure_cloud: china\n      host: h\n      port: 1\n      is_secure: false"));
  ASSERT_TRUE(az) << az.error().to_string();
  EXPECT_EQ(std::get<AzureStorageConfig>(az->object_storage->storages.at("s")).azure_cloud, "china");
  expect_error(with("      storage_type: azure\n      account_name: a\n      azure_cloud: mars"),
               "cfg.yaml: object_storage.storages.s.azure_cloud: expected one of public, germany, china, got \"mars\"");
  expect_error(with("      storage_type: azure\n      account_name: a\n      host: h"),
               "cfg.yaml: object_storage.storages.s.port: host and port must be set together");

  auto gcs = parse(with("      storage_type: google\n      project_id: p\n      bucket_name: b\n"
                        "      credentials: {type: service_account, private_key: PK}"));
  ASSERT_TRUE(gcs) << gcs.error().to_string();
  EXPECT_EQ(std::get<GoogleStorageConfig>(gcs->object_storage->storages.at("s")).credentials->at("private_key"), "PK");
  EXPECT_FALSE(std::get<GoogleStorageConfig>(gcs->object_storage->storages.at("s")).endpoint);
  auto gcs_endpoint = parse(with("      storage_type: google\n      project_id: p\n      endpoint: http://127.0.0.1:4443"));
  ASSERT_TRUE(gcs_endpoint) << gcs_endpoint.error().to_string();
  EXPECT_EQ(std::get<GoogleStorageConfig>(gcs_endpoint->object_storage->storages.at("s")).endpoint,
            "http://127.0.0.1:4443");
  expect_error(with("      storage_type: google\n      project_id: p\n      region: r"),
               "cfg.yaml: object_storage.storages.s.region: unknown key");
}

TEST_F(ParseTest, SyntaxErrorNamesFileAndLine) {
  auto c = parse("coordinator: [unclosed\nnode: {root: x\n");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(c.error().message.starts_with("cfg.yaml: YAML syntax error at line ")) << c.error().message;
  auto j = parse("{\"coordinator\": [1, 2}");
  ASSERT_FALSE(j);
  EXPECT_TRUE(j.error().message.starts_with("cfg.yaml: JSON syntax error: ")) << j.error().message;
  EXPECT_NE(j.error().message.find("line 1"), std::string::npos) << j.error().message;
}

TEST_F(ParseTest, EmptyAndNonMappingDocuments) {
  expect_error("", "cfg.yaml: empty configuration");
  expect_error("# only a comment\n\n", "cfg.yaml: empty configuration");
  expect_error("~\n", "cfg.yaml: empty configuration");
  expect_error("- a\n- b\n", "cfg.yaml: expected a mapping at the top level, got a list");
  expect_error("a: 1\n---\nb: 2\n", "cfg.yaml: expected a single YAML document, found 2");
  expect_error(std::string("a: \xff\n"), "cfg.yaml: configuration is not valid UTF-8");
}

TEST_F(ParseTest, JsonAndFlowYamlAreAccepted) {
  std::string root = dir_.str();
  std::string json = fmt::format(
      R"({{"coordinator": {{"plugin": "files"}}, "node": {{"root": "{0}", "db_path": "{0}/db"}},
          "uvicorn": {{"port": 7000, "reload": false}}}})",
      root);
  auto c = parse(json);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->uvicorn.port, 7000);
  EXPECT_EQ(c->object_storage, std::nullopt);
  EXPECT_EQ(c->node.object_storage, std::nullopt);
  auto flow = parse(fmt::format("{{coordinator: {{plugin: files}}, node: {{root: {0}, db_path: {0}/db}}}}", root));
  ASSERT_TRUE(flow) << flow.error().to_string();
}

TEST_F(ParseTest, AnchorsAndMergeKeys) {
  std::string root = dir_.str();
  auto c = parse(fmt::format(R"(x-common: &common {{host: h, port: 1}}
coordinator: {{plugin: files}}
node: {{root: {0}, db_path: {0}/db}}
)",
                             root));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "cfg.yaml: x-common: unknown key");
  auto m = parse(fmt::format(R"(coordinator: {{plugin: files}}
node: {{root: {0}, db_path: {0}/db, statsd: {{<<: &s {{host: h, port: 1}}, port: 2}}}}
statsd: *s
)",
                             root));
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m->node.statsd->host, "h");
  EXPECT_EQ(m->node.statsd->port, 2);
  EXPECT_EQ(m->statsd->port, 1);
}

TEST_F(ParseTest, LoadConfigFileSetsPathAndHash) {
  auto path = dir_.path() / "astacus.yaml";
  std::string text = base();
  testing::write_text(path, text);
  auto c = load_config_file(path);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->source_path, path.string());
  EXPECT_EQ(c->config_hash, sha256_hex(text));
  EXPECT_EQ(c->config_hash.size(), 64U);
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  testing::write_text(path, text + "bogus: 1\n");
  auto bad = load_config_file(path);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, path.string() + ": bogus: unknown key");
}

TEST_F(ParseTest, MissingFileIsNotFound) {
  auto path = dir_.path() / "does-not-exist.yaml";
  auto c = load_config_file(path);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kNotFound);
  EXPECT_NE(c.error().message.find(path.string()), std::string::npos);
}

}  // namespace
}  // namespace astacus::config
