// The backup coordinator keeps each node's file list as compressed text and splices it into the
// manifest: the manifest must come out byte for byte as if the lists had been parsed, every
// entry must still be checked when the node's answer is read, and texts whose list cannot be
// cut out are kept parsed. Answers are read whole (read()) or as they arrive (AnswerReader).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "coordinator/node_file_lists.h"
#include "manifest/json.h"
#include "manifest/json_text.h"

namespace astacus::coordinator {
namespace {

manifest::SnapshotResult node_result(int node, int files) {
  manifest::SnapshotResult r;
  r.hostname = "node-" + std::to_string(node);
  r.az = "az\"" + std::to_string(node);
  r.progress = {.handled = files, .failed = 0, .total = files, .final = true};
  r.start = now_utc();
  r.end = now_utc();
  r.state.emplace();
  r.state->root_globs = {"*", "dir/**"};
  r.hashes.emplace();
  for (int i = 0; i < files; ++i) {
    manifest::SnapshotFile f;
    f.relative_path = "d" + std::to_string(i % 7) + "/f]}\\\"ä" + std::to_string(i);
    f.file_size = 1000 + i;
    f.mtime_ns = 1733000000000000000 + i;
    if (i % 5 == 0) {
      f.content_b64 = "aGVsbG8=";
      f.file_size = 5;
    } else {
      f.hexdigest = std::string(63, "0123456789abcdef"[(i + node) % 16]) + "f";
      r.hashes->push_back({f.hexdigest, f.file_size});
    }
    r.files += 1;
    r.total_size += f.file_size;
    r.state->files.push_back(std::move(f));
  }
  return r;
}

std::string text_of(const manifest::SnapshotResult& r) {
  std::string out;
  manifest::append_json(out, r);
  return out;
}

manifest::BackupManifest manifest_of(std::vector<manifest::SnapshotResult> results) {
  manifest::BackupManifest m;
  m.start = SystemTime(std::chrono::seconds(1733000000));
  m.end = m.start;
  m.plugin = "files";
  m.snapshot_results = std::move(results);
  return m;
}

std::string written(const manifest::BackupManifest& m, const NodeFileLists* lists, size_t chunk) {
  std::string out;
  Status status = manifest::write_manifest(
      m,
      [&](std::string_view piece) {
        out.append(piece);
        return ok();
      },
      chunk, lists);
  EXPECT_TRUE(status) << status.error().message;
  return out;
}

/// Reads node `index`'s answer through an AnswerReader, in pieces of random sizes; nullopt
/// when the reader leaves it to the whole-text reader.
std::optional<Result<manifest::SnapshotResult>> read_as_it_arrives(NodeFileLists& lists, size_t index,
                                                                   std::string_view text, unsigned seed = 1) {
  auto reader = NodeFileLists::reader();
  std::mt19937 rng(seed);
  for (size_t at = 0; at < text.size();) {
    size_t n = 1 + rng() % 5000;
    EXPECT_TRUE(reader->write(text.substr(at, n)));
    at += n;
  }
  auto skeleton = reader->finish();
  EXPECT_TRUE(skeleton) << skeleton.error().message;
  if (!skeleton || !*skeleton) return std::nullopt;
  EXPECT_LT((*skeleton)->size(), 1000u) << "the skeleton holds no entry";
  return lists.take(index, *reader);
}

class NodeFileListsRead : public testing::TestWithParam<bool> {  // read as it arrives?
 protected:
  Result<manifest::SnapshotResult> read(NodeFileLists& lists, size_t index, std::string_view text) {
    if (!GetParam()) return lists.read(index, text);
    auto read = read_as_it_arrives(lists, index, text);
    if (!read) return errorf(ErrorCode::kInternal, "the reader left a valid answer to the whole-text reader");
    return std::move(*read);
  }
};

INSTANTIATE_TEST_SUITE_P(WholeOrAsItArrives, NodeFileListsRead, testing::Bool());

TEST_P(NodeFileListsRead, SplicedManifestIsByteIdenticalToTheParsedOne) {
  std::vector<manifest::SnapshotResult> full = {node_result(0, 9000), node_result(1, 0), node_result(2, 17)};
  full[1].state->files.clear();  // a node with no files: its writer omits state.files
  NodeFileLists lists(full.size());
  std::vector<manifest::SnapshotResult> outlines;
  size_t text_bytes = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    std::string text = text_of(full[i]);
    text_bytes += text.size();
    auto read = this->read(lists, i, text);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_TRUE(read->state->files.empty());
    EXPECT_EQ(read->hashes, full[i].hashes);
    EXPECT_EQ(read->files, full[i].files);
    outlines.push_back(std::move(*read));
  }
  EXPECT_TRUE(lists.has(0));
  EXPECT_FALSE(lists.has(1));
  EXPECT_TRUE(lists.has(2));
  EXPECT_LT(lists.compressed_bytes(), text_bytes / 3);
  EXPECT_LT(lists.allocated_bytes(), text_bytes / 3);  // not the worst-case room zstd asked for

  auto expected = manifest::serialize_manifest(manifest_of(full));
  auto spliced_manifest = manifest_of(outlines);
  for (size_t chunk : {size_t{1} << 20, size_t{64}}) {
    std::string text = written(spliced_manifest, &lists, chunk);
    auto [differs, _] = std::mismatch(text.begin(), text.end(), expected.begin(), expected.end());
    EXPECT_TRUE(text == expected) << "chunk " << chunk << ": " << text.size() << " vs " << expected.size()
                                  << " bytes, first difference at " << differs - text.begin() << ": "
                                  << text.substr(differs - text.begin(), 80);
  }
  auto back = manifest::parse_manifest(written(spliced_manifest, &lists, 4096), "");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->snapshot_results[0].state->files, full[0].state->files);
}

TEST(NodeFileLists, EveryEntryIsStillCheckedWhenTheAnswerIsRead) {
  std::string text = text_of(node_result(0, 10));
  size_t at = text.find("\"mtime_ns\":", text.find("\"relative_path\"", text.find("\"relative_path\"") + 1));
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 11, "\"mtime_ns\":\"soon\",\"x\":");
  NodeFileLists lists(1);
  auto read = lists.read(0, text, "node0");
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().message.find("state.files[1].mtime_ns"), std::string::npos) << read.error().message;
  EXPECT_FALSE(lists.has(0));
}

TEST(NodeFileLists, TheReaderLeavesWhatItCannotReadToTheWholeTextReader) {
  std::string bad_entry = text_of(node_result(0, 10));
  size_t at = bad_entry.find("\"mtime_ns\":");
  bad_entry.replace(at, 11, "\"mtime_ns\":\"soon\",\"x\":");
  std::string repeated_state = text_of(node_result(0, 4));
  repeated_state.insert(1, R"("state":{"root_globs":["x"]},)");
  std::string cut_off = text_of(node_result(0, 10));
  cut_off.resize(cut_off.size() / 2);
  for (const auto& text : {bad_entry, repeated_state, cut_off}) {
    NodeFileLists lists(1);
    EXPECT_FALSE(read_as_it_arrives(lists, 0, text)) << text.substr(0, 100);
    EXPECT_FALSE(lists.has(0));
  }
}

TEST(NodeFileLists, AnAnswerWithoutAListIsReadAsItArrives) {
  NodeFileLists lists(1);
  auto read = read_as_it_arrives(lists, 0, R"({"progress":{"handled":1,"failed":0,"total":2,"final":false}})");
  ASSERT_TRUE(read && *read);
  EXPECT_FALSE((*read)->progress.final);
  EXPECT_FALSE(lists.has(0));
}

TEST(NodeFileLists, AListThatCannotBeCutOutIsKeptParsed) {
  // A repeated "state" key: the brackets alone cannot say which list the parser took.
  auto r = node_result(0, 4);
  std::string text = text_of(r);
  text.insert(1, R"("state":{"root_globs":["x"]},)");
  NodeFileLists lists(1);
  auto read = lists.read(0, text);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_FALSE(lists.has(0));
  EXPECT_EQ(read->state->files, r.state->files);
}

TEST(NodeFileLists, OutOfRangeNodeAndMissingListAreErrors) {
  NodeFileLists lists(1);
  EXPECT_FALSE(lists.read(1, text_of(node_result(0, 1))));
  EXPECT_FALSE(lists.write(0, [](std::string_view) { return ok(); }));
}

}  // namespace
}  // namespace astacus::coordinator
