// The direct text writers (json_text.h) must print exactly what the nlohmann DOM path prints.
#include <gtest/gtest.h>

#include <random>

#include "manifest/json.h"
#include "manifest/json_text.h"

namespace astacus::manifest {
namespace {

using Json = nlohmann::ordered_json;

template <class T>
std::string via_dom(const T& v) {
  return dump_compact(Json(v));
}

template <class T>
std::string direct(const T& v) {
  std::string out;
  append_json(out, v);
  return out;
}

// Strings that exercise every escaping rule: quotes, backslashes, control bytes, DEL,
// multi-byte UTF-8 and invalid UTF-8 (replaced by U+FFFD on both paths).
const std::vector<std::string> kOddStrings = {
    "", "plain/path.db", "quote\"d", "back\\slash", "tab\tnew\nline\r", std::string("nul\0x", 5),
    "\x01\x1f\x7f", "caf\xc3\xa9/\xe2\x82\xac", "bad\xff\xfeutf8", "trunc\xe2\x82"};

std::string random_string(std::mt19937& rng) {
  if (rng() % 4 == 0) return kOddStrings[rng() % kOddStrings.size()];
  std::string s;
  size_t n = rng() % 40;
  for (size_t i = 0; i < n; ++i) s += static_cast<char>(rng() % 256);
  return s;
}

SnapshotResult random_result(std::mt19937& rng) {
  SnapshotResult r;
  r.hostname = random_string(rng);
  r.az = random_string(rng);
  r.progress = {static_cast<int64_t>(rng()), -1, INT64_MAX, rng() % 2 == 0};
  if (rng() % 2) r.start = SystemTime(std::chrono::microseconds(1732500000123456LL));
  if (rng() % 2) r.end = SystemTime(std::chrono::seconds(1732500001));
  if (rng() % 3) {
    SnapshotState state;
    for (size_t i = rng() % 3; i > 0; --i) state.root_globs.push_back(random_string(rng));
    for (size_t i = rng() % 20; i > 0; --i) {
      SnapshotFile f{random_string(rng), static_cast<int64_t>(rng()), INT64_MIN + 1, "", {}};
      if (rng() % 2) {
        f.hexdigest = std::string(64, 'a');
      } else {
        f.content_b64 = rng() % 2 ? random_string(rng) : "";
      }
      state.files.push_back(f);
    }
    r.state = state;
  }
  r.files = rng() % 1000;
  r.total_size = static_cast<int64_t>(rng()) << 20;
  if (rng() % 2) r.hashes = std::vector<SnapshotHash>{{std::string(64, 'b'), 7}, {"", 0}};
  return r;
}

TEST(ManifestJsonText, StringsAreEscapedLikeNlohmann) {
  for (const auto& s : kOddStrings) {
    std::string out;
    append_json_string(out, s);
    EXPECT_EQ(out, dump_compact(Json(s))) << "for " << Json(s).dump(-1, ' ', true, Json::error_handler_t::replace);
  }
}

TEST(ManifestJsonText, RandomSnapshotResultsMatchTheDomPath) {
  std::mt19937 rng(20261125);
  for (int i = 0; i < 300; ++i) {
    SnapshotResult r = random_result(rng);
    ASSERT_EQ(direct(r), via_dom(r)) << "iteration " << i;
  }
}

TEST(ManifestJsonText, RandomManifestsMatchTheDomPath) {
  std::mt19937 rng(7);
  for (int i = 0; i < 50; ++i) {
    BackupManifest m;
    m.start = SystemTime(std::chrono::milliseconds(1732500000123LL + i));
    m.end = SystemTime(std::chrono::seconds(1732500100 + i));
    m.attempt = i;
    for (size_t n = rng() % 4; n > 0; --n) m.snapshot_results.push_back(random_result(rng));
    for (size_t n = rng() % 3; n > 0; --n) {
      m.upload_results.push_back({random_string(rng), random_string(rng), {1, 2, 3, true}, 4, 5});
    }
    m.plugin = i % 2 ? "files" : "m3db";
    if (i % 3 == 0) m.plugin_data = Json{{"z", 1}, {"a", {1, "two\n"}}};
    if (i % 5 == 0) m.plugin_data = nullptr;
    m.filename = random_string(rng);
    if (i % 2) m.tiered_storage_results = TieredStorageResults{3, 4};
    ASSERT_EQ(serialize_manifest(m), via_dom(m)) << "iteration " << i;
  }
}

TEST(ManifestJsonText, WriteManifestHandsOnTheSameBytesInBoundedPieces) {
  std::mt19937 rng(11);
  for (int i = 0; i < 20; ++i) {
    BackupManifest m;
    m.attempt = i;
    for (size_t n = 1 + rng() % 3; n > 0; --n) m.snapshot_results.push_back(random_result(rng));
    m.snapshot_results.back().hashes = std::vector<SnapshotHash>{{std::string(64, 'd'), 1}, {std::string(64, 'e'), 2}};
    const std::string whole = serialize_manifest(m);
    for (size_t chunk : {size_t{1}, size_t{64}, size_t{1} << 20}) {
      std::string joined;
      size_t pieces = 0;
      ASSERT_TRUE(write_manifest(m, [&](std::string_view piece) {
        // A piece ends after a list element: at most one element past the chunk size.
        EXPECT_LE(piece.size(), chunk + 4096) << "chunk " << chunk;
        joined += piece;
        ++pieces;
        return ok();
      }, chunk));
      ASSERT_EQ(joined, whole) << "iteration " << i << " chunk " << chunk;
      if (chunk == 1) {
        EXPECT_GT(pieces, 1u);
      }
    }
  }
}

TEST(ManifestJsonText, WriteManifestStopsAtTheFirstSinkError) {
  BackupManifest m;
  SnapshotResult r;
  r.state = SnapshotState{};
  for (int i = 0; i < 100; ++i) r.state->files.push_back({"f" + std::to_string(i), 1, 2, std::string(64, 'c'), {}});
  m.snapshot_results.push_back(r);
  int calls = 0;
  Status status = write_manifest(m, [&](std::string_view) -> Status {
    ++calls;
    return errorf(ErrorCode::kUnavailable, "disk full");
  }, 16);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, "disk full");
  EXPECT_EQ(calls, 1);
}

TEST(ManifestJsonText, SnapshotResultMembersPrecedeNodeFields) {
  std::mt19937 rng(1);
  SnapshotResult r = random_result(rng);
  std::string members;
  append_snapshot_result_members(members, r);
  std::string whole = direct(r);
  EXPECT_EQ(whole.substr(0, members.size() + 1), "{" + members);
  EXPECT_EQ(whole.substr(members.size() + 1, 12), ",\"hostname\":");
  std::string written;
  int pieces = 0;
  ASSERT_TRUE(write_snapshot_result_members(r, [&](std::string_view piece) {
    written.append(piece);
    ++pieces;
    return ok();
  }, 64));
  EXPECT_EQ(written, members);
  EXPECT_GT(pieces, 1);
}

TEST(ManifestJsonText, HashesWrittenFromTheFilesEqualTheListANodeBuilds) {
  std::mt19937 rng(2);
  for (int round = 0; round < 20; ++round) {
    SnapshotResult r = random_result(rng);
    if (!r.state) continue;
    std::vector<SnapshotHash> hashes;
    for (const auto& f : r.state->files) {
      if (!f.embedded()) hashes.push_back({f.hexdigest, f.file_size});
    }
    r.hashes = hashes;
    std::string listed, derived;
    ASSERT_TRUE(write_snapshot_result_members(r, [&](std::string_view piece) {
      listed.append(piece);
      return ok();
    }, 64));
    r.hashes.reset();
    ASSERT_TRUE(write_snapshot_result_members_hashing_files(r, [&](std::string_view piece) {
      derived.append(piece);
      return ok();
    }, 64));
    EXPECT_EQ(derived, listed) << "round " << round;
    EXPECT_NE(derived.find("\"hashes\":["), std::string::npos);
  }
}

}  // namespace
}  // namespace astacus::manifest
