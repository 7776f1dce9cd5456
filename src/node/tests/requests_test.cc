// An upload body's hashes are converted while parsing (UploadHashCollector); the request and
// its validation problems must be what parse_request makes of the whole DOM.
#include "node/requests.h"

#include <gtest/gtest.h>

namespace astacus::node {
namespace {

using json = nlohmann::json;

struct Parsed {
  UploadRequest request;
  ValidationItems items;
};

Parsed via_dom(const std::string& text) {
  Parsed p;
  p.items = parse_request(json::parse(text), p.request);
  return p;
}

Parsed via_collector(const std::string& text) {
  Parsed p;
  UploadHashCollector collector;
  json dom = json::parse(text, collector.callback());
  p.items = parse_request(dom, p.request);
  collector.finish(p.request, p.items);
  return p;
}

void expect_same(const std::string& text) {
  Parsed a = via_dom(text), b = via_collector(text);
  EXPECT_EQ(a.request.hashes, b.request.hashes) << text;
  EXPECT_EQ(a.request.storage, b.request.storage) << text;
  EXPECT_EQ(a.request.validate_file_hashes, b.request.validate_file_hashes) << text;
  EXPECT_EQ(json(a.items).dump(), json(b.items).dump()) << text;
}

TEST(UploadHashCollector, ReadsWhatTheDomReads) {
  std::string hashes;
  for (int i = 0; i < 1000; ++i) {
    hashes += (i ? "," : "") + fmt::format(R"({{"hexdigest":"{:064x}","size":{}}})", i, i * 7);
  }
  expect_same(R"({"hashes":[)" + hashes + R"(],"storage":"s","validate_file_hashes":true,"result_url":"http://x"})");
  expect_same(R"({"storage":"s","hashes":[],"extra":{"hashes":[1,2]}})");
  expect_same(R"({"hashes":{"not":"a list"},"storage":"s"})");
  expect_same(R"({"storage":"s"})");
  expect_same(R"({"hashes":[{"hexdigest":"a","size":1},7,{"hexdigest":1,"size":2},[1],{"size":3}],"storage":1})");
  expect_same(R"({"hashes":[{"hexdigest":"a","size":1,"nested":{"hashes":[5]}}],"storage":"s"})");
}

TEST(UploadHashCollector, BadElementsAreNamedByIndex) {
  Parsed p = via_collector(R"({"hashes":[{"hexdigest":"a","size":1},"x"],"storage":"s"})");
  ASSERT_EQ(p.request.hashes.size(), 1u);
  ASSERT_EQ(p.items.size(), 1u);
  EXPECT_EQ(p.items[0]["loc"], json({"body", "hashes", 1}));
}

}  // namespace
}  // namespace astacus::node
