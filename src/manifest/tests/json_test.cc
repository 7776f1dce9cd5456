#include <gtest/gtest.h>

#include <vector>

#include "manifest/json.h"
#include "manifest/tests/fixtures.h"

namespace astacus::manifest {
namespace {

using Json = nlohmann::ordered_json;
using testing::compat_dir;
using testing::read_text;

std::vector<std::filesystem::path> fixture_manifests() {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& dir : std::filesystem::directory_iterator(compat_dir(), ec)) {
    auto plain = dir.path() / "manifests-plaintext";
    if (!std::filesystem::is_directory(plain)) continue;
    for (const auto& f : std::filesystem::directory_iterator(plain)) {
      if (f.path().extension() == ".json") out.push_back(f.path());
    }
  }
  return out;
}

const char* kHex = "f236656eca7dee79b7790f4fb62d9f113fe173bef96bba4f0a6369c548469bb0";

// A small valid manifest, as Python would write it.
Json minimal_manifest() {
  return Json::parse(
      std::string(R"({"start":"2020-01-01T00:00:00Z","end":"2020-01-01T00:00:01.5Z",)") +
      R"("attempt":1,"snapshot_results":[{"start":"2020-01-01T00:00:00Z","end":null,)" +
      R"("state":{"root_globs":["**"],"files":[)" +
      R"({"relative_path":"a","file_size":0,"mtime_ns":1,"content_b64":""},)" +
      R"({"relative_path":"b/c","file_size":300,"mtime_ns":2,"hexdigest":")" + kHex +
      R"("}]},"files":2,"total_size":300,"hashes":[{"hexdigest":")" + kHex +
      R"(","size":300}],"hostname":"h","az":"z","progress":{"handled":0,"failed":0,)" +
      R"("total":0,"final":true}}],"upload_results":[],"plugin":"files",)" +
      R"("plugin_data":{},"filename":"","tiered_storage_results":null})");
}

Result<BackupManifest> parse(const Json& j, std::string_view name = "backup-X") {
  return parse_manifest(j.dump(), name);
}

TEST(ManifestJson, FixturesRoundTripByteForByte) {
  auto files = fixture_manifests();
  ASSERT_GE(files.size(), 8u) << "compat fixtures missing under " << compat_dir();
  for (const auto& path : files) {
    std::string text = read_text(path);
    std::string name = path.stem().string();
    auto m = parse_manifest(text, name);
    ASSERT_TRUE(m) << path << ": " << m.error().to_string();
    EXPECT_EQ(m->filename, name);
    m->filename = "";  // as written: the name is only attached when read back
    EXPECT_EQ(serialize_manifest(*m), text) << path;
  }
}

TEST(ManifestJson, FixtureContentIsRead) {
  auto path =
      compat_dir() / "files-zstd-3node/manifests-plaintext/backup-2026-11-25T06:24:50+00:00.json";
  auto m = parse_manifest(read_text(path), "backup-2026-11-25T06:24:50+00:00");
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(format_rfc3339(m->start), "2026-11-25T06:24:50.486417Z");
  EXPECT_EQ(m->attempt, 1);
  ASSERT_EQ(m->snapshot_results.size(), 3u);
  const auto& node0 = m->snapshot_results[0];
  ASSERT_TRUE(node0.state);
  EXPECT_EQ(node0.state->root_globs, std::vector<std::string>{"**"});
  EXPECT_EQ(node0.state->files[1].relative_path, "empty.dat");
  EXPECT_TRUE(node0.state->files[1].embedded());
  EXPECT_EQ(node0.state->files[1].content_b64, "");
  EXPECT_EQ(node0.state->files[0].hexdigest, kHex);
  EXPECT_TRUE(node0.progress.finished_successfully());
  EXPECT_EQ(m->plugin, "files");
  EXPECT_FALSE(m->tiered_storage_results);
}

TEST(ManifestJson, ErrorNamesManifestAndFieldPath) {
  Json j = minimal_manifest();
  j["snapshot_results"][0]["state"]["files"][1]["mtime_ns"] = "x";
  auto m = parse(j);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(m.error().message,
            "manifest backup-X: snapshot_results[0].state.files[1].mtime_ns: expected integer");
}

TEST(ManifestJson, MissingRequiredFieldIsNamed) {
  Json j = minimal_manifest();
  j["snapshot_results"][0]["hashes"][0].erase("size");
  auto m = parse(j);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message,
            "manifest backup-X: snapshot_results[0].hashes[0].size: missing required field");
  Json top = minimal_manifest();
  top.erase("attempt");
  EXPECT_EQ(parse(top).error().message, "manifest backup-X: attempt: missing required field");
}

TEST(ManifestJson, TruncatedJsonNamesManifest) {
  std::string text = minimal_manifest().dump();
  auto m = parse_manifest(text.substr(0, text.size() / 2), "backup-T");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(m.error().message.starts_with("manifest backup-T: invalid JSON"))
      << m.error().message;
  EXPECT_FALSE(parse_manifest("[]", "backup-A"));
  EXPECT_EQ(parse_manifest("[]", "backup-A").error().message, "manifest backup-A: expected object");
}

TEST(ManifestJson, UnknownFieldsAreTolerated) {
  Json j = minimal_manifest();
  j["future_field"] = {{"x", 1}};
  j["format_version"] = 1;
  j["snapshot_results"][0]["new_thing"] = true;
  j["snapshot_results"][0]["state"]["files"][0]["xattrs"] = Json::array();
  auto m = parse(j);
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m->snapshot_results[0].state->files.size(), 2u);
}

TEST(ManifestJson, NewerFormatVersionIsRefused) {
  Json j = minimal_manifest();
  j["format_version"] = 2;
  j.erase("start");  // the version is checked before anything else
  auto m = parse(j, "backup-N");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message,
            "manifest backup-N has format version 2, newer than this astacus supports (1)");
  j["format_version"] = "2";
  EXPECT_EQ(parse(j, "backup-N").error().message,
            "manifest backup-N: format_version: expected integer");
}

TEST(ManifestJson, UnsafePathsAreRefused) {
  for (const char* bad : {"../etc/passwd", "/abs", "a/../b", "", "a//b", "./a"}) {
    Json j = minimal_manifest();
    j["snapshot_results"][0]["state"]["files"][1]["relative_path"] = bad;
    auto m = parse(j);
    ASSERT_FALSE(m) << bad;
    EXPECT_EQ(m.error().message,
              fmt::format("manifest backup-X: snapshot_results[0].state.files[1].relative_path: "
                          "refusing path '{}'",
                          bad));
  }
}

TEST(ManifestJson, ValuesAreValidated) {
  struct Case {
    const char* field;
    Json value;
    const char* message;
  };
  const std::string upper = "F236656ECA7DEE79B7790F4FB62D9F113FE173BEF96BBA4F0A6369C548469BB0";
  std::vector<Case> cases = {
      {"hexdigest", upper, "snapshot_results[0].state.files[1].hexdigest: invalid hexdigest"},
      {"hexdigest", "abc", "snapshot_results[0].state.files[1].hexdigest: invalid hexdigest"},
      {"file_size", -1, "snapshot_results[0].state.files[1].file_size: must be >= 0, got -1"},
      {"file_size", 1.5, "snapshot_results[0].state.files[1].file_size: expected integer"},
      {"content_b64", "AQ==", "snapshot_results[0].state.files[1]: has both"},
  };
  for (const auto& c : cases) {
    Json j = minimal_manifest();
    j["snapshot_results"][0]["state"]["files"][1][c.field] = c.value;
    auto m = parse(j);
    ASSERT_FALSE(m) << c.field;
    EXPECT_NE(m.error().message.find(c.message), std::string::npos) << m.error().message;
  }
  Json bad_b64 = minimal_manifest();
  bad_b64["snapshot_results"][0]["state"]["files"][0]["content_b64"] = "a$==";
  EXPECT_NE(parse(bad_b64).error().message.find("files[0].content_b64: invalid base64"),
            std::string::npos);
  Json neither = minimal_manifest();
  neither["snapshot_results"][0]["state"]["files"][0].erase("content_b64");
  EXPECT_NE(parse(neither).error().message.find("files[0]: has neither hexdigest nor content_b64"),
            std::string::npos);
  Json big = minimal_manifest();
  big["attempt"] = 18446744073709551615ull;
  EXPECT_NE(parse(big).error().message.find("attempt: integer out of range"), std::string::npos);
  Json plugin = minimal_manifest();
  plugin["plugin"] = "oracle";
  EXPECT_NE(parse(plugin).error().message.find("plugin: unknown plugin 'oracle'"),
            std::string::npos);
  Json time = minimal_manifest();
  time["end"] = "yesterday";
  EXPECT_NE(parse(time).error().message.find("end: invalid timestamp 'yesterday'"),
            std::string::npos);
}

TEST(ManifestJson, FilenameIsTheObjectName) {
  Json j = minimal_manifest();
  auto m = parse(j, "backup-Y");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->filename, "backup-Y");
  j["filename"] = "backup-other";
  EXPECT_FALSE(parse(j, "backup-Y"));
  auto unnamed = parse_manifest(j.dump(), "");
  ASSERT_TRUE(unnamed);
  EXPECT_EQ(unnamed->filename, "backup-other");
}

TEST(ManifestJson, DefaultsWhenFieldsAreMissing) {
  Json j = minimal_manifest();
  j.erase("end");
  j.erase("plugin_data");
  j.erase("filename");
  j.erase("tiered_storage_results");
  j["snapshot_results"] = Json::array({Json::object()});
  auto m = parse(j);
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m->end, m->start);
  const SnapshotResult& r = m->snapshot_results[0];
  EXPECT_FALSE(r.start);
  EXPECT_FALSE(r.end);
  ASSERT_TRUE(r.state);  // Python's default_factory=SnapshotState
  EXPECT_TRUE(r.state->files.empty());
  EXPECT_FALSE(r.hashes);
  EXPECT_FALSE(r.progress.final);
  EXPECT_EQ(
      Json(r).dump(),
      R"({"start":null,"end":null,"state":{},"files":0,"total_size":0,"hashes":null,)"
      R"("hostname":"","az":"","progress":{"handled":0,"failed":0,"total":0,"final":false}})");
}

TEST(ManifestJson, WritesPythonShapes) {
  SnapshotFile blob{.relative_path = "x", .file_size = 300, .mtime_ns = 5, .hexdigest = kHex};
  EXPECT_EQ(Json(blob).dump(),
            fmt::format(R"({{"relative_path":"x","file_size":300,"mtime_ns":5,"hexdigest":"{}"}})",
                        kHex));
  SnapshotFile embedded{.relative_path = "e", .file_size = 0, .mtime_ns = 1, .content_b64 = ""};
  EXPECT_EQ(Json(embedded).dump(),
            R"({"relative_path":"e","file_size":0,"mtime_ns":1,"content_b64":""})");
  SnapshotUploadResult up{.hostname = "h",
                          .az = "a",
                          .progress = {1, 0, 1, true},
                          .total_size = 10,
                          .total_stored_size = 7};
  EXPECT_EQ(
      Json(up).dump(),
      R"({"hostname":"h","az":"a","progress":{"handled":1,"failed":0,"total":1,"final":true},)"
      R"("total_size":10,"total_stored_size":7})");
  BackupManifest m;
  m.start = *parse_rfc3339("2020-01-01T00:00:00Z");
  m.end = *parse_rfc3339("2020-01-01T00:00:00.25Z");
  m.plugin = "clickhouse";
  m.tiered_storage_results = TieredStorageResults{3, 4};
  std::string text = serialize_manifest(m);
  EXPECT_EQ(text,
            R"({"start":"2020-01-01T00:00:00Z","end":"2020-01-01T00:00:00.250000Z","attempt":1,)"
            R"("snapshot_results":[],"upload_results":[],"plugin":"clickhouse","plugin_data":{},)"
            R"("filename":"","tiered_storage_results":{"n_objects":3,"total_size_bytes":4}})");
  auto back = parse_manifest(text, "");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->tiered_storage_results->total_size_bytes, 4);
  EXPECT_EQ(serialize_manifest(*back), text);
}

TEST(ManifestJson, PluginDataKeepsKeyOrder) {
  Json j = minimal_manifest();
  j["plugin_data"] = Json::parse(R"({"zz":1,"aa":[1.5,"x",null],"mm":{"b":1,"a":2}})");
  auto m = parse(j);
  ASSERT_TRUE(m);
  const char* expected = R"("plugin_data":{"zz":1,"aa":[1.5,"x",null],"mm":{"b":1,"a":2}})";
  EXPECT_NE(serialize_manifest(*m).find(expected), std::string::npos);
}

TEST(ManifestJson, PerTypeParsersAcceptPlainJson) {
  nlohmann::json body = nlohmann::json::parse(
      R"({"hostname":"n1","az":"a","progress":{"handled":2,"failed":0,"total":2,"final":true},)"
      R"("start":"2020-01-01T00:00:00Z","end":"2020-01-01T00:00:01Z",)"
      R"("state":{"root_globs":["**"]},)"
      R"("files":0,"total_size":0,"hashes":[]})");
  auto r = parse_snapshot_result(body);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->hostname, "n1");
  EXPECT_TRUE(r->progress.finished_successfully());
  ASSERT_TRUE(r->hashes);
  EXPECT_TRUE(r->hashes->empty());
  body["progress"]["final"] = 1;
  EXPECT_EQ(parse_snapshot_result(body).error().message, "progress.final: expected boolean");
  EXPECT_EQ(parse_snapshot_result(body, "result").error().message,
            "result.progress.final: expected boolean");
  EXPECT_EQ(parse_progress(nlohmann::json::array()).error().message, "expected object");
  auto hash = parse_snapshot_hash(nlohmann::json{{"hexdigest", kHex}, {"size", 3}});
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->size, 3);
  auto up = parse_snapshot_upload_result(nlohmann::json::object());
  ASSERT_TRUE(up);
  EXPECT_EQ(up->total_stored_size, 0);
}

TEST(ManifestJson, ParsesOneSnapshotResultForANode) {
  std::string text = minimal_manifest().dump();
  auto r = parse_manifest_snapshot_result(text, "backup-X", 0);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->hostname, "h");
  auto missing = parse_manifest_snapshot_result(text, "backup-X", 1);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message, "manifest backup-X: no snapshot result 1 (it has 1)");
}

TEST(ManifestJson, HexdigestCheck) {
  EXPECT_TRUE(is_valid_hexdigest(kHex));
  EXPECT_FALSE(is_valid_hexdigest(""));
  EXPECT_FALSE(is_valid_hexdigest(std::string(63, 'a')));
  EXPECT_FALSE(is_valid_hexdigest(std::string(64, 'g')));
}

}  // namespace
}  // namespace astacus::manifest
