// ArraySplitter and ResultSplitter (json_split.h): elements and skeleton, whatever the pieces
// the text comes in, and giving up on every shape they do not expect.

#include "manifest/json_split.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace astacus::manifest {
namespace {

struct Split {
  bool sound = false;
  bool gave_up = false;
  std::string skeleton;
  std::vector<std::string> results;
};

Split split(std::string_view text, size_t piece = 0, unsigned seed = 1) {
  Split out;
  ResultSplitter splitter([&](size_t index, std::string_view element) -> Status {
    EXPECT_EQ(index, out.results.size());
    out.results.emplace_back(element);
    return ok();
  });
  std::mt19937 rng(seed);
  for (size_t at = 0; at < text.size();) {
    size_t n = piece ? piece : 1 + rng() % 7;
    EXPECT_TRUE(splitter.write(text.substr(at, n)));
    at += n;
  }
  out.sound = splitter.finish();
  out.gave_up = splitter.gave_up();
  out.skeleton = splitter.skeleton();
  return out;
}

const std::string kElement0 = R"({"hostname":"a","state":{"files":[{"relative_path":"x}]\"{[","file_size":1}]},"hashes":[]})";
const std::string kElement1 = R"({ "hostname" : "b\\" , "n" : [[{}],{"snapshot_results":[1]}] })";
const std::string kManifest = "  {\"start\":\"2026\",\"plugin_data\":{\"snapshot_results\":[]},\"snapshot_results\" : [ " +
                              kElement0 + " ,\n" + kElement1 + " ],\"key\":\"v]\\\"\"}\n";

TEST(ManifestJsonSplit, HandsOnEachResultAndKeepsTheRestInAnyPieces) {
  for (size_t piece : {0, 1, 2, 3, 1000}) {
    for (unsigned seed = 1; seed < 20; ++seed) {
      Split s = split(kManifest, piece, seed);
      ASSERT_TRUE(s.sound) << piece << "/" << seed;
      ASSERT_EQ(s.results.size(), 2u);
      EXPECT_EQ(s.results[0], kElement0);
      EXPECT_EQ(s.results[1], kElement1);
      EXPECT_EQ(s.skeleton,
                "{\"start\":\"2026\",\"plugin_data\":{\"snapshot_results\":[]},\"snapshot_results\" :[],"
                "\"key\":\"v]\\\"\"}\n");
      if (piece) break;  // fixed pieces: one seed is enough
    }
  }
}

TEST(ManifestJsonSplit, AnEmptyListAndNoListAreSound) {
  Split empty = split(R"({"snapshot_results":[ ],"a":1})");
  EXPECT_TRUE(empty.sound);
  EXPECT_TRUE(empty.results.empty());
  EXPECT_EQ(empty.skeleton, R"({"snapshot_results":[],"a":1})");
  Split null = split(R"({"snapshot_results":null})");
  EXPECT_TRUE(null.sound);  // not a list: kept, for the skeleton's parser to refuse
  EXPECT_EQ(null.skeleton, R"({"snapshot_results":null})");
  Split none = split(R"({"a":{"snapshot_results":[{"x":1}]}})");
  EXPECT_TRUE(none.sound);
  EXPECT_TRUE(none.results.empty());  // only the top level's list is split
  EXPECT_EQ(none.skeleton, R"({"a":{"snapshot_results":[{"x":1}]}})");
}

TEST(ManifestJsonSplit, GivesUpOnShapesItDoesNotExpect) {
  const std::vector<std::string> unexpected = {
      R"([{"snapshot_results":[]}])",                          // not an object
      R"({"snapshot_results":[],"snapshot_results":[]})",      // the list twice
      R"({"snapshot_results":[{"a":1},null]})",                // an element that is not an object
      R"({"snapshot_results":[{"a":1},]})",                    // a trailing comma
      R"({"snapshot_results":[,{"a":1}]})",                    // a leading comma
      R"({"snapshot_results":[{"a":1}{"a":2}]})",              // a missing comma
      R"({"snapshot\u005fresults":[{"a":1}]})",                // an escape in a key
      R"({"a":1]})",                                           // a stray bracket at the top
  };
  for (const auto& text : unexpected) {
    Split s = split(text, 1000);
    EXPECT_FALSE(s.sound) << text;
    EXPECT_TRUE(s.gave_up) << text;
  }
}

TEST(ManifestJsonSplit, ACutOffTextIsNotSound) {
  for (size_t cut = 0; cut < kManifest.size() - 2; cut += 3) {
    Split s = split(kManifest.substr(0, cut), 1000);
    EXPECT_FALSE(s.sound) << cut;
  }
}

TEST(ManifestJsonSplit, AnErrorOfTheCallbackStopsTheSplit) {
  ResultSplitter splitter([](size_t, std::string_view) -> Status { return errorf(ErrorCode::kIoError, "full"); });
  Status st = splitter.write(kManifest);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message, "full");
}

// A node's snapshot answer: state.files (one level down) and hashes.
struct Answer {
  bool sound = false;
  bool gave_up = false;
  std::string skeleton;
  std::vector<std::string> files;
  std::vector<std::string> hashes;
};

Answer split_answer(std::string_view text, unsigned seed = 1) {
  Answer out;
  ArraySplitter splitter({{"state", "files"}, {"hashes"}}, [&](size_t array, size_t index, std::string_view element) {
    auto& list = array == 0 ? out.files : out.hashes;
    EXPECT_EQ(index, list.size());
    list.emplace_back(element);
    return ok();
  });
  std::mt19937 rng(seed);
  for (size_t at = 0; at < text.size();) {
    size_t n = 1 + rng() % 9;
    EXPECT_TRUE(splitter.write(text.substr(at, n)));
    at += n;
  }
  out.sound = splitter.finish();
  out.gave_up = splitter.gave_up();
  out.skeleton = splitter.skeleton();
  if (out.sound) {
    EXPECT_EQ(splitter.elements(0), out.files.size());
    EXPECT_EQ(splitter.elements(1), out.hashes.size());
  }
  return out;
}

const std::string kFile0 = R"({"relative_path":"a\"}]","file_size":1,"hexdigest":"ab"})";
const std::string kFile1 = R"({"relative_path":"b","nested":{"files":[{}]}})";
const std::string kHash0 = R"({"hexdigest":"ab","size":1})";
const std::string kAnswer = " {\"files\":[1],\"state\" : {\"root_globs\":[\"*\"],\"files\": [ " + kFile0 + ",\n" + kFile1 +
                            " ],\"x\":{\"files\":[{}]}},\"hashes\":[" + kHash0 + "],\"progress\":{\"final\":true}}";

TEST(ManifestJsonSplit, FollowsAPathOfKeysIntoNestedObjects) {
  for (unsigned seed = 1; seed < 30; ++seed) {
    Answer a = split_answer(kAnswer, seed);
    ASSERT_TRUE(a.sound) << seed;
    EXPECT_EQ(a.files, (std::vector<std::string>{kFile0, kFile1}));
    EXPECT_EQ(a.hashes, (std::vector<std::string>{kHash0}));
    EXPECT_EQ(a.skeleton,
              "{\"files\":[1],\"state\" :{\"root_globs\":[\"*\"],\"files\":[],\"x\":{\"files\":[{}]}},"
              "\"hashes\":[],\"progress\":{\"final\":true}}");
  }
}

TEST(ManifestJsonSplit, AnAnswerWithoutItsListsIsSound) {
  const std::vector<std::pair<std::string, std::string>> texts = {
      {R"({"state":null,"progress":{"final":false}})", R"({"state":null,"progress":{"final":false}})"},
      {R"({"state":{"files":[]},"hashes":[]})", R"({"state":{"files":[]},"hashes":[]})"},
      {R"({"state":"x","hashes":[ ]})", R"({"state":"x","hashes":[]})"},
      {R"({"state":{"a":[{"files":[1]}]}})", R"({"state":{"a":[{"files":[1]}]}})"},
      // A chosen member that is not a list stays, for the parser to judge.
      {R"({"state":{"files":{"a":[1]}},"hashes":null})", R"({"state":{"files":{"a":[1]}},"hashes":null})"},
  };
  for (const auto& [text, skeleton] : texts) {
    Answer a = split_answer(text);
    EXPECT_TRUE(a.sound) << text;
    EXPECT_TRUE(a.files.empty() && a.hashes.empty()) << text;
    EXPECT_EQ(a.skeleton, skeleton);
  }
}

TEST(ManifestJsonSplit, GivesUpOnAnswersShapedOtherwise) {
  const std::vector<std::string> unexpected = {
      R"({"state":{"files":[]},"state":{"files":[]}})",  // the object on the way twice
      R"({"state":{"files":[],"files":[]}})",           // the list twice
      R"({"state":{"files":[{"a":1},"x"]}})",           // an element that is not an object
      R"({"state":{"fil\u0065s":[]}})",                 // an escape in a key on the way
      R"({"state":{"files":[]]}})",                     // a stray bracket inside the object
      R"({"hashes":[{}],"hashes":[{}]})",               // a top-level list twice
  };
  for (const auto& text : unexpected) {
    Answer a = split_answer(text);
    EXPECT_FALSE(a.sound) << text;
    EXPECT_TRUE(a.gave_up) << text;
  }
}

}  // namespace
}  // namespace astacus::manifest
