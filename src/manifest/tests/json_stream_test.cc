// The streaming readers (parse_manifest, parse_manifest_snapshot_result,
// parse_snapshot_result_text) must read exactly what the DOM readers read, and report the
// same field paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "manifest/json.h"
#include "manifest/json_answer_stream.h"
#include "manifest/json_flat.h"
#include "manifest/json_text.h"

namespace astacus::manifest {
namespace {

using Json = nlohmann::ordered_json;

std::string hex_of(uint64_t n) {
  std::string s = fmt::format("{:064x}", n);
  return s;
}

SnapshotResult valid_result(std::mt19937& rng, const std::string& host) {
  SnapshotResult r;
  r.hostname = host;
  r.az = "az-" + host;
  r.progress = {3, 0, 3, true};
  r.start = SystemTime(std::chrono::seconds(1732500000));
  SnapshotState state;
  state.root_globs = {"**", "caf\xc3\xa9/*"};
  std::vector<SnapshotHash> hashes;
  for (int i = 0, n = static_cast<int>(rng() % 30); i < n; ++i) {
    SnapshotFile f{fmt::format("dir{}/f \"{}\".db", i % 3, i), static_cast<int64_t>(rng() % 5000),
                   static_cast<int64_t>(rng()), "", {}};
    if (f.file_size > 200) {
      f.hexdigest = hex_of(rng());
      hashes.push_back({f.hexdigest, f.file_size});
    } else {
      f.content_b64 = "QUJD";
    }
    state.files.push_back(f);
  }
  r.files = static_cast<int64_t>(state.files.size());
  r.state = state;
  r.hashes = hashes;
  return r;
}

std::string text_of(const SnapshotResult& r) {
  std::string out;
  append_json(out, r);
  return out;
}

BackupManifest valid_manifest(std::mt19937& rng, int nodes) {
  BackupManifest m;
  m.start = SystemTime(std::chrono::seconds(1732500000));
  m.end = SystemTime(std::chrono::seconds(1732500060));
  for (int i = 0; i < nodes; ++i) m.snapshot_results.push_back(valid_result(rng, fmt::format("n{}", i)));
  m.upload_results.push_back({"n0", "az", {1, 0, 1, true}, 10, 5});
  m.plugin = "files";
  return m;
}

TEST(ManifestJsonStream, SnapshotResultTextReadsWhatTheDomReads) {
  std::mt19937 rng(3);
  for (int i = 0; i < 50; ++i) {
    SnapshotResult r = valid_result(rng, "h");
    if (i % 5 == 0) r.hashes.reset();
    if (i % 7 == 0) r.state.reset();
    std::string text = text_of(r);
    auto streamed = parse_snapshot_result_text(text);
    auto dom = parse_snapshot_result(Json::parse(text));
    ASSERT_TRUE(streamed) << streamed.error().message;
    ASSERT_TRUE(dom);
    EXPECT_EQ(text_of(*streamed), text_of(*dom));
    EXPECT_EQ(text_of(*streamed), text);
  }
}

TEST(ManifestJsonStream, SnapshotResultTextListsAreAllocatedOnceAtTheirSize) {
  std::mt19937 rng(6);
  SnapshotResult r = valid_result(rng, "h");
  while (r.state->files.size() < 10) r = valid_result(rng, "h");
  // A path holding the quoted key name: escaped inside its string, so it is not counted.
  r.state->files[0].relative_path = "a \"relative_path\" \"size\"";
  std::sort(r.state->files.begin(), r.state->files.end(),
            [](const auto& a, const auto& b) { return a.relative_path < b.relative_path; });
  auto streamed = parse_snapshot_result_text(text_of(r));
  ASSERT_TRUE(streamed) << streamed.error().message;
  EXPECT_EQ(streamed->state->files.size(), r.state->files.size());
  EXPECT_EQ(streamed->state->files.capacity(), r.state->files.size());
  EXPECT_EQ(streamed->hashes->capacity(), r.hashes->size());
  EXPECT_EQ(text_of(*streamed), text_of(r));
}

TEST(ManifestJsonStream, ManifestReadsWhatTheDomReads) {
  std::mt19937 rng(4);
  for (int nodes = 0; nodes < 5; ++nodes) {
    std::string text = serialize_manifest(valid_manifest(rng, nodes));
    auto streamed = parse_manifest(text, "backup-x");
    auto dom = parse_manifest_json(Json::parse(text), "backup-x");
    ASSERT_TRUE(streamed) << streamed.error().message;
    ASSERT_TRUE(dom);
    EXPECT_EQ(serialize_manifest(*streamed), serialize_manifest(*dom));
    for (int i = 0; i < nodes; ++i) {
      auto one = parse_manifest_snapshot_result(text, "backup-x", static_cast<size_t>(i));
      ASSERT_TRUE(one) << one.error().message;
      EXPECT_EQ(text_of(*one), text_of(dom->snapshot_results[static_cast<size_t>(i)]));
    }
  }
}

TEST(ManifestJsonStream, OutlineKeepsAllButTheListsAndChecksEveryElement) {
  std::mt19937 rng(7);
  BackupManifest m = valid_manifest(rng, 3);
  while (m.snapshot_results[2].state->files.size() < 2) m = valid_manifest(rng, 3);
  std::string text = serialize_manifest(m);
  auto outline = parse_manifest_outline(text, "backup-x");
  ASSERT_TRUE(outline) << outline.error().message;
  BackupManifest expected = m;
  for (auto& r : expected.snapshot_results) {
    r.state->files.clear();
    r.hashes->clear();
  }
  expected.filename = "backup-x";
  EXPECT_EQ(serialize_manifest(*outline), serialize_manifest(expected));

  Json j = Json::parse(text);
  j["snapshot_results"][2]["state"]["files"][1]["file_size"] = -1;
  auto bad = parse_manifest_outline(j.dump(), "backup-x");
  ASSERT_FALSE(bad);
  auto full = parse_manifest(j.dump(), "backup-x");
  ASSERT_FALSE(full);
  EXPECT_EQ(bad.error().message, full.error().message);
  EXPECT_NE(bad.error().message.find("snapshot_results[2].state.files[1].file_size"), std::string::npos)
      << bad.error().message;
}

TEST(ManifestJsonStream, BadFileElementIsNamedByItsPath) {
  std::mt19937 rng(5);
  SnapshotResult r = valid_result(rng, "h");
  while (r.state->files.size() < 4) r = valid_result(rng, "h");
  Json j = Json::parse(text_of(r));
  j["state"]["files"][3]["mtime_ns"] = "soon";
  auto streamed = parse_snapshot_result_text(j.dump(), "node 1");
  ASSERT_FALSE(streamed);
  EXPECT_EQ(streamed.error().message, "node 1.state.files[3].mtime_ns: expected integer");
  auto dom = parse_snapshot_result(j, "node 1");
  ASSERT_FALSE(dom);
  EXPECT_EQ(streamed.error().message, dom.error().message);
}

/// One element changed in a way the direct conversion must refuse or must read exactly as the
/// DOM reader does: odd but valid shapes, and every kind of invalid one.
void mutate(Json& files, Json& hashes, int kind) {
  Json& f = files[1];
  Json& h = hashes[0];
  switch (kind) {
    case 0: f["extra"] = 1; break;                                      // unknown key: ignored
    case 1: f["extra"] = Json::object({{"a", Json::array({1, 2})}}); break;  // nested: ignored
    case 2: f["file_size"] = -1; break;
    case 3: f["file_size"] = 1.5; break;
    case 4: f["mtime_ns"] = -5; break;                                  // valid: before 1970
    case 5: f["mtime_ns"] = 18446744073709551615ull; break;
    case 6: f["relative_path"] = "../etc/passwd"; break;
    case 7: f["relative_path"] = 7; break;
    case 8: f.erase("file_size"); break;
    case 9: f["hexdigest"] = "ABC"; break;
    case 10: f["hexdigest"] = ""; f["content_b64"] = nullptr; break;    // neither
    case 11: f["content_b64"] = "QUJD"; break;                          // both
    case 12: f.erase("hexdigest"); f["content_b64"] = "!!"; break;
    case 13: f["content_b64"] = nullptr; break;                         // null = absent
    case 14: f = Json::array({1}); break;
    case 15: f = "file"; break;
    case 16: h["size"] = -3; break;
    case 17: h["extra"] = true; break;
    case 18: h.erase("size"); break;
    case 19: h["hexdigest"] = nullptr; break;
    case 20: h = Json::object(); break;
    default: break;
  }
}

TEST(ManifestJsonStream, DirectConversionAgreesWithTheDomOnOddAndBadElements) {
  std::mt19937 rng(8);
  SnapshotResult r = valid_result(rng, "h");
  while (r.state->files.size() < 3 || r.hashes->empty() ||
         r.state->files[1].content_b64.has_value()) {
    r = valid_result(rng, "h");
  }
  for (int kind = 0; kind <= 21; ++kind) {
    Json j = Json::parse(text_of(r));
    mutate(j["state"]["files"], j["hashes"], kind);
    std::string text = j.dump();
    auto streamed = parse_snapshot_result_text(text, "node 0");
    auto dom = parse_snapshot_result(j, "node 0");
    ASSERT_EQ(streamed.has_value(), dom.has_value())
        << "kind " << kind << ": " << (streamed ? dom.error().message : streamed.error().message);
    if (dom) {
      EXPECT_EQ(text_of(*streamed), text_of(*dom)) << "kind " << kind;
    } else {
      EXPECT_EQ(streamed.error().message, dom.error().message) << "kind " << kind;
    }
  }
}

TEST(ManifestJsonStream, RepeatedKeyInAnElementReadsLikeTheDom) {
  std::mt19937 rng(9);
  SnapshotResult r = valid_result(rng, "h");
  while (r.state->files.size() < 2) r = valid_result(rng, "h");
  std::string text = text_of(r);
  std::string first = "{\"relative_path\":";
  size_t at = text.find(first, text.find("\"files\""));
  ASSERT_NE(at, std::string::npos);
  text.insert(at + 1, "\"file_size\":\"x\",");  // the later file_size wins in the DOM
  auto streamed = parse_snapshot_result_text(text);
  auto dom = parse_snapshot_result(Json::parse(text));
  ASSERT_TRUE(streamed) << streamed.error().message;
  ASSERT_TRUE(dom) << dom.error().message;
  EXPECT_EQ(text_of(*streamed), text_of(*dom));
}

TEST(ManifestJsonStream, BadHashInManifestNamesResultAndIndex) {
  std::mt19937 rng(6);
  BackupManifest m = valid_manifest(rng, 2);
  m.snapshot_results[1].hashes = std::vector<SnapshotHash>{{hex_of(1), 1}, {"XYZ", 2}};
  auto parsed = parse_manifest(serialize_manifest(m), "backup-y");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("manifest backup-y: snapshot_results[1].hashes[1].hexdigest: "
                                        "invalid hexdigest 'XYZ'"),
            std::string::npos)
      << parsed.error().message;
}

TEST(ManifestJsonStream, OneNodesResultIgnoresTheOtherNodesLists) {
  std::mt19937 rng(7);
  BackupManifest m = valid_manifest(rng, 3);
  m.snapshot_results[2].hashes = std::vector<SnapshotHash>{{"not hex", 2}};
  std::string text = serialize_manifest(m);
  auto one = parse_manifest_snapshot_result(text, "backup-z", 0);
  ASSERT_TRUE(one) << one.error().message;
  EXPECT_EQ(text_of(*one), text_of(m.snapshot_results[0]));
  EXPECT_FALSE(parse_manifest_snapshot_result(text, "backup-z", 2));
  auto missing = parse_manifest_snapshot_result(text, "backup-z", 3);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(ManifestJsonStream, NewerFormatVersionWinsOverBadElements) {
  std::mt19937 rng(8);
  Json j = Json::parse(serialize_manifest(valid_manifest(rng, 1)));
  j["snapshot_results"][0]["hashes"] = Json::array({Json{{"digest", "new-style"}}});
  j["format_version"] = kManifestFormatVersion + 1;
  auto parsed = parse_manifest(j.dump(), "backup-new");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("newer than this astacus supports"), std::string::npos)
      << parsed.error().message;
}

TEST(ManifestJsonStream, TruncatedTextIsInvalidJson) {
  std::mt19937 rng(9);
  std::string text = serialize_manifest(valid_manifest(rng, 2));
  auto parsed = parse_manifest(text.substr(0, text.size() / 2), "backup-cut");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("manifest backup-cut: invalid JSON"), std::string::npos)
      << parsed.error().message;
  EXPECT_FALSE(parse_snapshot_result_text("{\"state\":{\"files\":[{"));
}

/// Deletes, replaces or inserts one byte at a random place (replacements from `specials`).
void corrupt_one_byte(std::string& text, std::mt19937& rng, std::string_view specials) {
  size_t at = rng() % text.size();
  char c = specials[rng() % specials.size()];
  switch (rng() % 3) {
    case 0: text.erase(at, 1); break;
    case 1: text[at] = c; break;
    default: text.insert(at, 1, c); break;
  }
}

/// Everything a parse_streamed call hands back, as text, with the files its visitor saw.
std::string outcome(const Result<detail::StreamedJson>& parsed, const std::vector<std::string>& visited) {
  if (!parsed) return "error: " + parsed.error().message;
  std::string out = parsed->skeleton.dump();
  if (parsed->element_error) out += "\nelement error: " + parsed->element_error->message;
  for (size_t i = 0; i < parsed->results.size(); ++i) {
    out += fmt::format("\nresult {}:", i);
    for (const auto& f : parsed->results[i].files) append_json(out, f);
    for (const auto& h : parsed->results[i].hashes) append_json(out, h);
  }
  for (const auto& v : visited) out += "\nvisited " + v;
  return out;
}

using StreamParser = Result<detail::StreamedJson> (*)(std::string_view, detail::StreamShape, std::string_view,
                                                      std::optional<size_t>, detail::KeepLists,
                                                      const detail::FileVisitor*);

std::string parse_with(StreamParser parser, std::string_view text, detail::StreamShape shape,
                       std::optional<size_t> only, detail::KeepLists keep) {
  std::vector<std::string> visited;
  detail::FileVisitor visitor = [&](size_t result, const SnapshotFile& f) {
    std::string line = fmt::format("{} ", result);
    append_json(line, f);
    visited.push_back(line);
  };
  return outcome(parser(text, shape, "node 0", only, keep, &visitor), visited);
}

/// The fast route of parse_streamed (json_stream_fast.cc) against nlohmann's SAX parser over the
/// whole text: on valid texts, and on thousands of corruptions of them (a byte deleted, replaced
/// or inserted), both give the same skeleton, lists, visits, element error or syntax error.
TEST(ManifestJsonStream, FastRouteAgreesWithTheWholeTextParserOnCorruptions) {
  std::mt19937 rng(10);
  const std::string specials = "{}[]\",:\\ -0123456789abcdefnulltrueE.\x01\xc3";
  size_t fast_taken = 0;
  for (int round = 0; round < 400; ++round) {
    bool manifest = round % 2 == 0;
    auto shape = manifest ? detail::StreamShape::kManifest : detail::StreamShape::kSnapshotResult;
    BackupManifest m = valid_manifest(rng, 2);
    for (auto& r : m.snapshot_results) {
      for (auto& f : r.state->files) {  // mostly plain paths, so the fast route is taken
        if (rng() % 4) f.relative_path = fmt::format("dir{}/file{}.db", rng() % 3, rng() % 100);
      }
    }
    std::string text = manifest ? serialize_manifest(m) : text_of(m.snapshot_results[0]);
    for (int edit = 0, edits = round % 3; edit < edits; ++edit) corrupt_one_byte(text, rng, specials);
    std::optional<size_t> only;
    if (manifest && rng() % 3 == 0) only = rng() % 2;
    detail::KeepLists keep{rng() % 2 == 0, rng() % 2 == 0};
    std::string slow = parse_with(&detail::parse_streamed_slow, text, shape, only, keep);
    std::string routed = parse_with(&detail::parse_streamed, text, shape, only, keep);
    if (routed != slow) {
      size_t at = std::mismatch(routed.begin(), routed.end(), slow.begin(), slow.end()).first - routed.begin();
      size_t from = at > 200 ? at - 200 : 0;
      FAIL() << "round " << round << ": outcomes differ at " << at << "\nfast route: ..."
             << routed.substr(from, 400) << "\nwhole text: ..." << slow.substr(from, 400);
    }
    if (detail::parse_streamed_fast(text, shape, "node 0", only, keep, nullptr)) ++fast_taken;
  }
  EXPECT_GT(fast_taken, 200u);  // most texts, corrupted ones included, take the fast route
}


/// A TextFeed over `text` that hands it on in pieces of 1-4096 bytes and counts its calls.
TextFeed feed_of(const std::string& text, std::mt19937& rng, int& calls) {
  return [&text, &rng, &calls](const std::function<Status(std::string_view)>& sink) -> Status {
    ++calls;
    for (size_t at = 0; at < text.size();) {
      size_t n = 1 + rng() % 4096;
      ASTACUS_CHECK(sink(std::string_view(text).substr(at, n)));
      at += n;
    }
    return ok();
  };
}

std::string manifest_outcome(const Result<BackupManifest>& m) {
  return m ? serialize_manifest(*m) : "error: " + m.error().message;
}

/// The streamed readers (read_manifest_*) against the whole-text parsers, on valid manifests and
/// corrupted ones: the same manifest, visits and errors; valid ones are read in one pass.
TEST(ManifestJsonStream, StreamedReadersAgreeWithTheWholeTextParsers) {
  std::mt19937 rng(11);
  const std::string specials = "{}[]\",:\\ -0123456789abcdefnulltrueE.\x01";
  int one_pass = 0;
  for (int round = 0; round < 300; ++round) {
    BackupManifest m = valid_manifest(rng, 1 + round % 3);
    std::string text = serialize_manifest(m);
    bool corrupt = round % 3 != 0;
    if (corrupt) corrupt_one_byte(text, rng, specials);
    int calls = 0;
    auto outline = read_manifest_outline(feed_of(text, rng, calls), "b");
    ASSERT_EQ(manifest_outcome(outline), manifest_outcome(parse_manifest_outline(text, "b"))) << round;
    if (!corrupt) {
      EXPECT_EQ(calls, 1) << round;
    }
    one_pass += calls == 1;

    std::vector<std::string> visited, whole_visited;
    auto visit_into = [](std::vector<std::string>& out) {
      return [&out](size_t result, const SnapshotFile& f) {
        std::string line = fmt::format("{} ", result);
        append_json(line, f);
        out.push_back(line);
      };
    };
    auto visiting = read_manifest_visiting_files(feed_of(text, rng, calls), "b", visit_into(visited),
                                                 [&] { visited.clear(); });
    auto whole_visiting = parse_manifest_visiting_files(text, "b", visit_into(whole_visited));
    ASSERT_EQ(manifest_outcome(visiting), manifest_outcome(whole_visiting)) << round;
    if (whole_visiting) {
      EXPECT_EQ(visited, whole_visited) << round;
    }

    size_t index = rng() % (m.snapshot_results.size() + 1);  // one past the end: NotFound
    auto own = read_manifest_snapshot_result(feed_of(text, rng, calls), "b", index);
    auto whole_own = parse_manifest_snapshot_result(text, "b", index);
    if (whole_own) {
      ASSERT_TRUE(own) << round << ": " << own.error().message;
      EXPECT_EQ(text_of(*own), text_of(*whole_own)) << round;
    } else if (!own) {
      EXPECT_EQ(own.error().message, whole_own.error().message) << round;
      EXPECT_EQ(own.error().code, whole_own.error().code) << round;
    } else {
      // Documented leniency: another node's result is looked at only for its structure.
      EXPECT_EQ(text_of(*own), text_of(m.snapshot_results[index])) << round;
    }
  }
  EXPECT_GT(one_pass, 100);
}

/// What SnapshotAnswerStream read from `text` fed in random pieces: its result with state.files
/// read back from the list text it handed on, as text; nullopt when it left the text to the
/// whole-text parser.
std::optional<std::string> stream_answer(const std::string& text, std::mt19937& rng) {
  std::string list;
  SnapshotAnswerStream stream([&](std::string_view piece) {
    list.append(piece);
    return ok();
  }, "node 0");
  for (size_t at = 0; at < text.size();) {
    size_t n = 1 + rng() % 300;
    EXPECT_TRUE(stream.write(std::string_view(text).substr(at, n)));
    at += n;
  }
  auto result = stream.finish();
  EXPECT_TRUE(result);
  if (!result || !*result) return std::nullopt;
  SnapshotResult r = std::move(**result);
  EXPECT_EQ(stream.list_text_size(), list.size());
  if (stream.has_list()) {
    for (const auto& entry : Json::parse(list)) r.state->files.push_back(*parse_snapshot_file(entry));
  }
  return text_of(r);
}

/// SnapshotAnswerStream against parse_snapshot_result_text, on valid answers and corruptions:
/// whatever it reads, the whole-text parser reads the same; every valid answer is read.
TEST(ManifestJsonStream, AnswerStreamAgreesWithTheWholeTextParser) {
  std::mt19937 rng(12);
  const std::string specials = "{}[]\",:\\ -0123456789abcdefnulltrueE.\x01";
  int streamed_corrupt = 0;
  for (int round = 0; round < 600; ++round) {
    SnapshotResult r = valid_result(rng, "h");
    if (round % 5 == 0) r.state->files.clear();
    if (round % 7 == 0) r.hashes.reset();
    for (auto& f : r.state->files) {  // mostly plain paths: the flat reader's case
      if (rng() % 4) f.relative_path = fmt::format("dir{}/file{}.db", rng() % 3, rng() % 100);
    }
    std::string text = text_of(r);
    bool corrupt = round % 2 != 0;
    if (corrupt) corrupt_one_byte(text, rng, specials);
    auto streamed = stream_answer(text, rng);
    auto whole = parse_snapshot_result_text(text, "node 0");
    if (!corrupt) {
      ASSERT_TRUE(streamed) << round << " " << text;
      ASSERT_TRUE(whole) << round;
    }
    if (!streamed) continue;
    streamed_corrupt += corrupt;
    ASSERT_TRUE(whole) << round << ": the stream read what the whole-text parser refuses: " << text;
    EXPECT_EQ(*streamed, text_of(*whole)) << round;
  }
  EXPECT_GT(streamed_corrupt, 20);  // harmless corruptions (a space, a digit) are read too
}

}  // namespace
}  // namespace astacus::manifest
