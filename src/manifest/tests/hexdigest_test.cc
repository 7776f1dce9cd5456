#include "manifest/hexdigest.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "manifest/json.h"
#include "manifest/json_text.h"

namespace astacus::manifest {
namespace {

const std::string kDigest = "0123456789abcdef00ff10e0a5c3deadbeef0123456789abcdef0011223344ff";

TEST(Hexdigest, CanonicalTextIsKeptAsBytesAndGivenBack) {
  Hexdigest h(kDigest);
  EXPECT_TRUE(h.canonical());
  EXPECT_FALSE(h.empty());
  EXPECT_EQ(h.str(), kDigest);
  EXPECT_EQ(fmt::format("<{}>", h), "<" + kDigest + ">");
  std::string out = "x";
  h.append_to(out);
  EXPECT_EQ(out, "x" + kDigest);
}

TEST(Hexdigest, OtherTextIsKeptVerbatim) {
  std::string upper = kDigest;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  for (const std::string& text : {std::string("abc"), upper, kDigest + "0", std::string(64, 'g')}) {
    Hexdigest h(text);
    EXPECT_FALSE(h.canonical()) << text;
    EXPECT_EQ(h.str(), text);
    EXPECT_NE(h, Hexdigest(kDigest));
  }
  EXPECT_NE(Hexdigest(upper), Hexdigest(kDigest)) << "case is part of the name";
}

TEST(Hexdigest, TheAllZeroDigestIsKeptAsTextAndIsNotEmpty) {
  const std::string zero(64, '0');
  Hexdigest h(zero);
  EXPECT_FALSE(h.empty());
  EXPECT_FALSE(h.canonical());
  EXPECT_EQ(h.str(), zero);
  EXPECT_EQ(h, Hexdigest(zero));
  EXPECT_NE(h, Hexdigest());
  EXPECT_NE(h, Hexdigest(std::string(63, '0') + "1"));
  EXPECT_TRUE(Hexdigest(std::string(63, '0') + "1").canonical());
  EXPECT_LT(h, Hexdigest(std::string(63, '0') + "1"));
  EXPECT_LT(Hexdigest(), h);
  Hexdigest copy = h;
  EXPECT_EQ(copy.str(), zero);
}

TEST(Hexdigest, EmptyIsEmpty) {
  Hexdigest h;
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.str(), "");
  EXPECT_EQ(h, Hexdigest(""));
  EXPECT_EQ(h, "");
  EXPECT_NE(h, Hexdigest(kDigest));
}

TEST(Hexdigest, CopiesAreEqualAndIndependent) {
  Hexdigest a(kDigest);
  Hexdigest b("not-a-digest");
  Hexdigest c = a;
  Hexdigest d = b;
  EXPECT_EQ(c, a);
  EXPECT_EQ(d, b);
  c = b;
  d = Hexdigest(kDigest);
  EXPECT_EQ(c.str(), "not-a-digest");
  EXPECT_EQ(d.str(), kDigest);
  EXPECT_EQ(a.str(), kDigest);
  EXPECT_EQ(b.str(), "not-a-digest");
}

TEST(Hexdigest, OrderIsTheOrderOfTheText) {
  std::vector<std::string> texts = {kDigest, std::string(64, 'f'), std::string(64, '0'), "zz", "",
                                    std::string(63, 'a') + "b", std::string(64, 'a')};
  std::vector<Hexdigest> digests(texts.begin(), texts.end());
  std::sort(texts.begin(), texts.end());
  std::sort(digests.begin(), digests.end());
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(digests[i].str(), texts[i]);
}

TEST(Hexdigest, HashSetFindsEqualDigests) {
  std::unordered_set<Hexdigest> set{Hexdigest(kDigest), Hexdigest("odd")};
  EXPECT_EQ(set.count(Hexdigest(std::string(kDigest))), 1u);
  EXPECT_EQ(set.count(Hexdigest("odd")), 1u);
  EXPECT_EQ(set.count(Hexdigest(std::string(64, 'f'))), 0u);
}

TEST(Hexdigest, ManifestJsonRoundTripsBothKinds) {
  SnapshotResult result;
  result.hashes = std::vector<SnapshotHash>{{kDigest, 3}};
  SnapshotFile file;
  file.relative_path = "a";
  file.file_size = 3;
  file.hexdigest = kDigest;
  result.state = SnapshotState{};
  result.state->files.push_back(file);
  result.state->files.push_back(SnapshotFile{"b", 3, 0, "not-canonical", std::nullopt});
  result.hashes->push_back(SnapshotHash{"not-canonical", 3});
  std::string text;
  append_json(text, result);
  EXPECT_NE(text.find("\"hexdigest\":\"" + kDigest + "\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"hexdigest\":\"not-canonical\""), std::string::npos) << text;
  nlohmann::ordered_json dom;
  to_json(dom, result);
  EXPECT_EQ(dom["hashes"][1]["hexdigest"], "not-canonical");
  EXPECT_EQ(dom["state"]["files"][0]["hexdigest"], kDigest);
  auto back = parse_snapshot_result_text(text);  // strict: refuses the made-up digest
  EXPECT_FALSE(back);
  result.state->files.pop_back();
  result.hashes->pop_back();
  text.clear();
  append_json(text, result);
  back = parse_snapshot_result_text(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->state->files.at(0).hexdigest, kDigest);
  EXPECT_EQ(back->hashes->at(0).hexdigest, kDigest);
}

}  // namespace
}  // namespace astacus::manifest
