#include <gtest/gtest.h>

#include "coordinator/list_stats.h"
#include "manifest/json.h"
#include "manifest/tests/fixtures.h"

namespace astacus::coordinator {
namespace {

using manifest::testing::compat_dir;
using manifest::testing::read_text;
using Json = nlohmann::ordered_json;

manifest::SnapshotResult node_with(const std::vector<std::string>& hexdigests, int64_t size) {
  manifest::SnapshotResult r;
  r.state = manifest::SnapshotState{};
  for (size_t i = 0; i < hexdigests.size(); ++i) {
    manifest::SnapshotFile f{.relative_path = fmt::format("f{}", i), .file_size = size};
    if (hexdigests[i].empty()) {
      f.content_b64 = "";
    } else {
      f.hexdigest = hexdigests[i];
    }
    r.state->files.push_back(f);
    r.files += 1;
    r.total_size += size;
  }
  return r;
}

TEST(ListStats, SpecExample) {  // §2.4 / §12 case 26
  manifest::BackupManifest m;
  m.plugin = "files";
  m.snapshot_results = {node_with({"1000", "1110", "1100", "2000"}, 1000),
                        node_with({"1000", "1110", "2000", "2110", "2000"}, 1000)};
  auto e = make_list_entry("backup-x", m);
  EXPECT_EQ(e.name, "x");
  EXPECT_EQ(e.nodes, 2);
  EXPECT_EQ(e.cluster_files, 6);
  EXPECT_EQ(e.cluster_data_size, 6000);
  EXPECT_EQ(e.files, 9);
  EXPECT_EQ(e.total_size, 9000);
}

TEST(ListStats, EmbeddedFilesFormOneGroup) {  // kept Python quirk
  manifest::BackupManifest m;
  m.snapshot_results = {node_with({"", ""}, 5), node_with({"", "", ""}, 7), node_with({}, 0)};
  m.snapshot_results[2].state.reset();
  auto stats = compute_deduplicated_snapshot_file_stats(m);
  EXPECT_EQ(stats.files, 3);          // max count of the "" group
  EXPECT_EQ(stats.data_size, 3 * 5);  // sized by the first embedded file seen
}

TEST(ListStats, SumsAndJsonShape) {  // §12 case 24 numbers
  manifest::BackupManifest m;
  m.start = *parse_rfc3339("2020-01-01T00:00:00Z");
  m.end = *parse_rfc3339("2020-01-01T00:00:01.5Z");
  m.plugin = "files";
  m.snapshot_results = {node_with({"aa"}, 6)};
  m.upload_results = {manifest::SnapshotUploadResult{.total_size = 6, .total_stored_size = 10}};
  auto e = make_list_entry("backup-1", m);
  EXPECT_EQ(list_entry_to_json(e).dump(),
            R"({"name":"1","start":"2020-01-01T00:00:00Z","end":"2020-01-01T00:00:01.500000Z",)"
            R"("plugin":"files","attempt":1,"nodes":1,"files":1,"total_size":6,"upload_size":6,)"
            R"("upload_stored_size":10,"cluster_files":1,"cluster_data_size":6,)"
            R"("tiered_storage_size":null})");
  m.tiered_storage_results = manifest::TieredStorageResults{2, 99};
  EXPECT_EQ(make_list_entry("backup-1", m).tiered_storage_size, 99);
  EXPECT_EQ(make_list_entry("delta-7", m, manifest::kDeltaPrefix).name, "7");
}

std::string http_body(const std::filesystem::path& path) {
  std::string text = read_text(path);
  auto at = text.find("\n\n");
  if (at == std::string::npos) return "";
  std::string body = text.substr(at + 2);
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return body;
}

TEST(ListStats, MatchesPythonListAnswer) {  // files-zstd-3node: http/018 and http/021
  auto fixture = compat_dir() / "files-zstd-3node";
  std::vector<std::string> names = {"backup-2026-11-25T06:24:50+00:00",
                                    "backup-2026-11-25T06:24:55+00:00"};
  std::vector<ListEntry> entries;
  for (const auto& name : names) {
    auto path = fixture / "manifests-plaintext" / (name + ".json");
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    auto m = manifest::parse_manifest(read_text(path), name);
    ASSERT_TRUE(m) << m.error().to_string();
    entries.push_back(make_list_entry(name, *m));
    // cleanup and list read the file lists as a stream: the same entry, no list kept.
    DeduplicatedFileStats stats;
    size_t visited = 0;
    std::vector<size_t> next_in(m->snapshot_results.size());
    auto summary = manifest::parse_manifest_visiting_files(
        read_text(path), name, [&](size_t result, const manifest::SnapshotFile& file) {
          stats.add(result, file);
          EXPECT_EQ(file, m->snapshot_results.at(result).state->files.at(next_in.at(result)++));
          ++visited;
        });
    ASSERT_TRUE(summary) << summary.error().to_string();
    EXPECT_EQ(make_list_entry(name, *summary, stats.finish()), entries.back());
    size_t files = 0;
    for (size_t i = 0; i < m->snapshot_results.size(); ++i) {
      files += m->snapshot_results[i].state->files.size();
      EXPECT_TRUE(summary->snapshot_results[i].state->files.empty());
      EXPECT_EQ(summary->snapshot_results[i].hashes, m->snapshot_results[i].hashes);
    }
    EXPECT_EQ(visited, files);
  }
  auto after1 = fixture / "http/018-GET-list-after-backup1.txt";
  auto after2 = fixture / "http/021-GET-list-after-backup2.txt";
  ASSERT_TRUE(std::filesystem::exists(after1)) << after1;
  ASSERT_TRUE(std::filesystem::exists(after2)) << after2;
  EXPECT_EQ(list_response_to_json({{"local", {entries[0]}}}).dump(), http_body(after1));
  EXPECT_EQ(list_response_to_json({{"local", entries}}).dump(), http_body(after2));
  EXPECT_EQ(entries[0].cluster_files, 15);
  EXPECT_EQ(entries[0].cluster_data_size, 3033339);
}

}  // namespace
}  // namespace astacus::coordinator
