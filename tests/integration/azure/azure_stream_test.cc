// The Azure backend's streaming writer and reader against a real Azurite: one Put Blob for small
// objects (chosen as put() chooses), blocks staged as they fill, ranged reads, dropped and failed
// writers, the block limit, blobs replaced mid-read, and ObjectStore's streaming path over Azure.
// Requests are counted by proxies (support/tcp_proxy.h) placed between the backend and Azurite.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <fstream>
#include <memory>
#include <optional>

#include "codec/blake2s.h"
#include "storage/azure/azure_backend.h"
#include "storage/object_store.h"
#include "support/stream_io.h"
#include "support/services.h"
#include "support/tcp_proxy.h"

namespace astacus::testing {
namespace {

using storage::AzureBackend;
using storage::AzureBackendOptions;
using storage::Metadata;
using storage::ObjectReader;
using storage::ObjectWriter;

constexpr size_t kMiB = 1024 * 1024;
// Markers of the requests counted, as curl sends them to Azurite.
constexpr const char* kPutBlob = "x-ms-blob-type: BlockBlob";
constexpr const char* kPutBlock = "?comp=block&blockid=";
constexpr const char* kPutBlockList = "?comp=blocklist";
constexpr const char* kRangedGet = "x-ms-range: bytes=";
constexpr const char* kProperties = "HEAD /";

AzureBackendOptions stream_options(size_t block_size, size_t single_put_limit) {
  AzureBackendOptions o = fast_test_options();
  o.block_size = block_size;
  o.single_put_limit = single_put_limit;
  o.block_threads = 3;
  return o;
}

// Proxies in a row in front of a port, each counting the requests that carry its marker.
class RequestCounter {
 public:
  RequestCounter(int target_port, const std::vector<std::string>& markers) : markers_(markers) {
    int port = target_port;
    for (auto marker = markers.rbegin(); marker != markers.rend(); ++marker) {
      proxies_.push_front(std::make_unique<DroppingProxy>(port, *marker, /*drops=*/0));
      port = proxies_.front()->port();
    }
  }
  int port() const { return proxies_.front()->port(); }
  int count(const std::string& marker) const {
    auto it = std::find(markers_.begin(), markers_.end(), marker);
    return proxies_.at(static_cast<size_t>(it - markers_.begin()))->seen();
  }

 private:
  std::vector<std::string> markers_;
  std::deque<std::unique_ptr<DroppingProxy>> proxies_;
};

// How an object was stored: Put Blob, Put Block and Put Block List requests.
struct UploadRequests {
  int put_blob = 0;
  int put_block = 0;
  int put_block_list = 0;
  bool operator==(const UploadRequests&) const = default;
};

std::ostream& operator<<(std::ostream& os, const UploadRequests& r) {
  return os << "{Put Blob " << r.put_blob << ", Put Block " << r.put_block << ", Put Block List "
            << r.put_block_list << "}";
}

UploadRequests upload_requests(const RequestCounter& counter) {
  return {counter.count(kPutBlob), counter.count(kPutBlock), counter.count(kPutBlockList)};
}

UploadRequests operator-(const UploadRequests& a, const UploadRequests& b) {
  return {a.put_blob - b.put_blob, a.put_block - b.put_block, a.put_block_list - b.put_block_list};
}


// The number of blocks in Get Block List's `list` ("CommittedBlocks" or "UncommittedBlocks").
int block_count(const AzureBackend& backend, const std::string& blob, const std::string& list) {
  std::string type = list == "CommittedBlocks" ? "committed" : "uncommitted";
  auto blocks = backend.client().call(
      {"Get Block List", "GET", blob, {{"comp", "blocklist"}, {"blocklisttype", type}}, {}, {}});
  if (!blocks) {
    ADD_FAILURE() << blocks.error().message;
    return -1;
  }
  size_t begin = blocks->body.find("<" + list + ">");
  size_t end = blocks->body.find("</" + list + ">");
  if (begin == std::string::npos || end == std::string::npos) return 0;  // <List /> when empty
  int count = 0;
  for (size_t pos = blocks->body.find("<Block>", begin); pos < end; pos = blocks->body.find("<Block>", pos + 1)) {
    ++count;
  }
  return count;
}

std::string unique_container() {
  static std::atomic<int> n{0};
  return "s" + std::to_string(::getpid()) + "-" + std::to_string(n++);
}

class AzureStream : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      azurite_ = new Azurite();
    } catch (const std::exception& e) {
      start_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete azurite_;
    azurite_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(azurite_, nullptr) << start_error_;
    container_ = unique_container();
    azurite_->create_container(container_);
  }

  /// A backend of this test's container, through `port` (a proxy) or straight to Azurite.
  std::unique_ptr<AzureBackend> backend(const AzureBackendOptions& options, int port = 0,
                                        const std::string& prefix = "") {
    auto config = azurite_->storage_config(container_);
    config.prefix = prefix;
    if (port != 0) config.port = port;
    auto made = storage::make_azure_backend("az", config, options);
    if (!made) throw std::runtime_error(made.error().to_string());
    return std::move(*made);
  }

  static Azurite* azurite_;
  static std::string start_error_;
  std::string container_;
};

Azurite* AzureStream::azurite_ = nullptr;
std::string AzureStream::start_error_;

TEST_F(AzureStream, ObjectWithinTheSinglePutLimitIsOnePutBlobWithMetadata) {
  RequestCounter counter(azurite_->port(), {kPutBlob, kPutBlock, kPutBlockList});
  auto b = backend(stream_options(kMiB, kMiB), counter.port());
  Metadata md = {{"compression-algorithm", "zstd"}, {"encryption-key-id", "k1"}};

  std::string small = random_bytes(300000, 1);
  auto writer = b->open_writer("data/small", md, /*batched=*/true).value();  // batched: no meaning here
  ASSERT_TRUE(write_in_pieces(*writer, small, {1, 4096, 65537}));
  EXPECT_FALSE(b->exists("data/small").value()) << "nothing visible before commit";
  EXPECT_EQ(upload_requests(counter), UploadRequests{}) << "nothing sent before commit";
  auto committed = writer->commit();
  ASSERT_TRUE(committed) << committed.error().message;
  auto late = writer->write("x");
  ASSERT_FALSE(late) << "a committed writer takes no more bytes";
  EXPECT_EQ(late.error().code, ErrorCode::kInternal);

  // Exactly the limit long: still one Put Blob, as put() does.
  std::string exact = random_bytes(kMiB, 2);
  writer = b->open_writer("data/exact", {}, false).value();
  ASSERT_TRUE(write_in_pieces(*writer, exact, {kMiB / 3}));
  ASSERT_TRUE(writer->commit());
  // An empty object too.
  writer = b->open_writer("data/empty", md, false).value();
  ASSERT_TRUE(writer->commit());

  EXPECT_EQ(upload_requests(counter), (UploadRequests{3, 0, 0}));
  auto got = b->get("data/small");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->data == small);
  EXPECT_EQ(got->metadata, md);
  EXPECT_TRUE(b->get("data/exact")->data == exact);
  EXPECT_EQ(b->get("data/empty")->data, "");
  EXPECT_EQ(b->get("data/empty")->metadata, md);
  EXPECT_EQ(block_count(*b, "data/small", "CommittedBlocks"), 0);
  // Metadata names stored with '_' as put() stores them (rohmu's mapping).
  auto raw = b->client().call({"Get Blob Properties", "HEAD", "data/small", {}, {}, {}});
  ASSERT_TRUE(raw) << raw.error().message;
  EXPECT_EQ(raw->header("x-ms-meta-compression_algorithm"), "zstd");
  EXPECT_EQ(raw->header("x-ms-meta-encryption_key_id"), "k1");

  auto reader = b->open_reader("data/empty").value();
  EXPECT_EQ(reader->metadata(), md);
  EXPECT_EQ(reader->read(100).value(), "");
}

TEST_F(AzureStream, PutBlobOrBlocksIsChosenAsPutChoosesIt) {
  struct Case {
    size_t single_put_limit;
    std::vector<size_t> sizes;
  };
  // Limit above the block size (full blocks are held back while the object may still fit one
  // Put Blob) and below it (one block + Put Block List, as put_blocks does).
  const std::vector<Case> cases = {{3 * kMiB, {0, 5 * kMiB / 2, 3 * kMiB, 3 * kMiB + 1, 9 * kMiB / 2}},
                                   {100000, {100000, 100001, 3 * kMiB / 2}}};
  for (const auto& c : cases) {
    RequestCounter counter(azurite_->port(), {kPutBlob, kPutBlock, kPutBlockList});
    auto b = backend(stream_options(kMiB, c.single_put_limit), counter.port());
    for (size_t size : c.sizes) {
      SCOPED_TRACE(::testing::Message() << "limit " << c.single_put_limit << ", size " << size);
      std::string data = random_bytes(size, size);
      UploadRequests before = upload_requests(counter);
      ASSERT_TRUE(b->put("data/put", data, {}));
      UploadRequests by_put = upload_requests(counter) - before;

      before = upload_requests(counter);
      auto writer = b->open_writer("data/streamed", {}, false).value();
      ASSERT_TRUE(write_in_pieces(*writer, data, {70000}));
      auto committed = writer->commit();
      ASSERT_TRUE(committed) << committed.error().message;
      UploadRequests by_writer = upload_requests(counter) - before;

      EXPECT_EQ(by_writer, by_put);
      int blocks = static_cast<int>((size + kMiB - 1) / kMiB);
      UploadRequests expected = size <= c.single_put_limit ? UploadRequests{1, 0, 0} : UploadRequests{0, blocks, 1};
      EXPECT_EQ(by_put, expected);
      EXPECT_TRUE(b->get("data/streamed")->data == data);
    }
  }
}

TEST_F(AzureStream, SeveralBlocksWrittenInOddPiecesReadBackByteIdentical) {
  RequestCounter counter(azurite_->port(), {kPutBlob, kPutBlock, kPutBlockList, kRangedGet, kProperties});
  auto b = backend(stream_options(kMiB, kMiB), counter.port(), "stream");
  std::string data = random_bytes(5 * kMiB + 12345, 3);  // 6 blocks of 1 MiB, the last one short
  Metadata md = {{"compression-algorithm", "zstd"}};

  auto writer = b->open_writer("data/big", md, false).value();
  ASSERT_TRUE(write_in_pieces(*writer, data, {1, 7, 65536, kMiB + 3, 333333}));
  // Blocks 1-5 were handed out, at most 3 at a time: blocks 1 and 2 are done.
  EXPECT_GE(counter.count(kPutBlock), 2) << "blocks go out while the object is being written";
  EXPECT_EQ(counter.count(kPutBlockList), 0);
  EXPECT_FALSE(b->exists("data/big").value()) << "nothing visible before commit";
  auto committed = writer->commit();
  ASSERT_TRUE(committed) << committed.error().message;
  EXPECT_EQ(upload_requests(counter), (UploadRequests{0, 6, 1}));

  auto got = b->get("data/big");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->data == data) << got->data.size() << " bytes vs " << data.size();
  EXPECT_EQ(got->metadata, md);
  EXPECT_EQ(block_count(*b, "stream/data/big", "CommittedBlocks"), 6);

  int heads = counter.count(kProperties);
  auto reader = b->open_reader("data/big");
  ASSERT_TRUE(reader) << reader.error().message;
  EXPECT_EQ((*reader)->metadata(), md);
  EXPECT_EQ(counter.count(kProperties), heads + 1);
  EXPECT_EQ(counter.count(kRangedGet), 0) << "opening reads only the properties";
  std::string read = read_in_pieces(**reader, {1, 100, 4096, kMiB + 3, 3 * kMiB, 77777});
  EXPECT_TRUE(read == data) << read.size() << " bytes vs " << data.size();
  EXPECT_EQ(counter.count(kRangedGet), 6) << "one ranged Get Blob of at most a block per block";
  EXPECT_EQ((*reader)->read(10).value(), "") << "the end stays the end";
  EXPECT_EQ(counter.count(kRangedGet), 6);
}

TEST_F(AzureStream, DroppedWriterLeavesNoVisibleBlobAndKeepsTheOldContent) {
  auto direct = backend(stream_options(kMiB, kMiB));
  ASSERT_TRUE(direct->put("data/kept", "old version", {{"compression-algorithm", "snappy"}}));
  RequestCounter counter(azurite_->port(), {kPutBlob, kPutBlock, kPutBlockList});
  auto b = backend(stream_options(kMiB, kMiB), counter.port());
  for (const char* key : {"data/new", "data/kept"}) {
    auto writer = b->open_writer(key, {{"compression-algorithm", "zstd"}}, false).value();
    ASSERT_TRUE(writer->write(random_bytes(2 * kMiB + 5, 4)));  // blocks 1-2 sent, 5 bytes pending
  }
  EXPECT_EQ(upload_requests(counter), (UploadRequests{0, 4, 0})) << "blocks staged, never committed";

  EXPECT_FALSE(direct->exists("data/new").value());
  EXPECT_EQ(direct->list("data").value(), std::vector<std::string>{"kept"});
  auto kept = direct->get("data/kept");
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(kept->data, "old version");
  EXPECT_EQ(kept->metadata, (Metadata{{"compression-algorithm", "snappy"}}));
  // The staged blocks are there, but only as uncommitted blocks (Azure discards them itself).
  EXPECT_EQ(block_count(*direct, "data/kept", "UncommittedBlocks"), 2);
}

TEST_F(AzureStream, ConnectionLostMidStreamFailsTheWriterNamingTheBlobAndLeavesNoBlob) {
  auto direct = backend(stream_options(kMiB, kMiB));
  ASSERT_TRUE(direct->put("data/kept", "old version", {}));
  auto options = stream_options(kMiB, kMiB);
  options.retry.max_attempts = 2;
  for (const char* key : {"data/new", "data/kept"}) {
    SCOPED_TRACE(key);
    // A pass-through proxy, stopped mid-stream: Azurite is gone for the writer.
    auto proxy = std::make_unique<DroppingProxy>(azurite_->port(), "no such marker", 0);
    auto b = backend(options, proxy->port());
    auto writer = b->open_writer(key, {}, false).value();
    ASSERT_TRUE(write_in_pieces(*writer, random_bytes(2 * kMiB + 100, 5), {256 * 1024}));  // blocks 1-2 out
    proxy.reset();
    Status written = write_in_pieces(*writer, random_bytes(3 * kMiB, 6), {256 * 1024});
    Status committed = written ? writer->commit() : written;
    ASSERT_FALSE(committed);
    EXPECT_EQ(committed.error().code, ErrorCode::kUnavailable) << committed.error().message;
    EXPECT_TRUE(committed.error().retryable);
    EXPECT_NE(committed.error().message.find("blob '" + std::string(key) + "'"), std::string::npos)
        << committed.error().message;
    EXPECT_NE(committed.error().message.find("after 2 attempts"), std::string::npos) << committed.error().message;
    // A failed writer stays failed, with the same error.
    auto again = writer->write("more");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().message, committed.error().message);
    EXPECT_FALSE(writer->commit());
  }
  EXPECT_FALSE(direct->exists("data/new").value());
  EXPECT_EQ(direct->get("data/kept")->data, "old version");
  EXPECT_EQ(direct->list("data").value(), std::vector<std::string>{"kept"});
}

TEST(AzureStreamFailures, StoppedAzuriteFailsTheWriterNamingTheBlobAndEndpoint) {
  std::optional<Azurite> azurite;
  azurite.emplace();
  azurite->create_container("stopping");
  auto options = stream_options(kMiB, kMiB);
  options.retry.max_attempts = 2;
  auto b = storage::make_azure_backend("az-stop", azurite->storage_config("stopping"), options).value();
  std::string endpoint = azurite->endpoint();
  auto writer = b->open_writer("data/stopped", {}, false).value();
  ASSERT_TRUE(writer->write(random_bytes(kMiB + 1, 7)));  // block 1 sent
  azurite.reset();                                         // killed and reaped
  Status written = writer->write(random_bytes(2 * kMiB, 8));
  Status committed = written ? writer->commit() : written;
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().code, ErrorCode::kUnavailable) << committed.error().message;
  EXPECT_NE(committed.error().message.find("azure site 'az-stop'"), std::string::npos) << committed.error().message;
  EXPECT_NE(committed.error().message.find("blob 'data/stopped'"), std::string::npos) << committed.error().message;
  EXPECT_NE(committed.error().message.find(endpoint), std::string::npos) << committed.error().message;
}

TEST_F(AzureStream, ReaderOfAMissingKeyIsNotFoundNamingIt) {
  auto b = backend(stream_options(kMiB, kMiB), 0, "pfx");
  auto reader = b->open_reader("data/missing");
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().code, ErrorCode::kNotFound);
  EXPECT_NE(reader.error().message.find("pfx/data/missing"), std::string::npos) << reader.error().message;
  EXPECT_NE(reader.error().message.find(container_), std::string::npos) << reader.error().message;
}

TEST_F(AzureStream, BlobReplacedOrRemovedMidReadFailsTheReader) {
  auto b = backend(stream_options(kMiB, kMiB));
  std::string original = random_bytes(3 * kMiB, 11);
  const std::vector<std::pair<const char*, std::string>> replacements = {
      {"same size", random_bytes(3 * kMiB, 12)}, {"other size", random_bytes(5 * kMiB, 13)}};
  for (const auto& [what, replacement] : replacements) {
    SCOPED_TRACE(what);
    ASSERT_TRUE(b->put("data/moving", original, {}));
    auto reader = b->open_reader("data/moving").value();
    auto first = reader->read(kMiB);  // the first range: 1 MiB
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(*first == std::string_view(original).substr(0, kMiB));
    ASSERT_TRUE(b->put("data/moving", replacement, {}));
    auto next = reader->read(kMiB);
    ASSERT_FALSE(next) << "read bytes of another version";
    EXPECT_EQ(next.error().code, ErrorCode::kConflict) << next.error().message;
    EXPECT_FALSE(next.error().retryable);
    EXPECT_NE(next.error().message.find("blob 'data/moving'"), std::string::npos) << next.error().message;
    EXPECT_NE(next.error().message.find("changed while it was being read"), std::string::npos)
        << next.error().message;
    // Azurite honours If-Match on Get Blob: the change is its 412, not the ETag comparison.
    EXPECT_NE(next.error().message.find("HTTP 412 ConditionNotMet"), std::string::npos) << next.error().message;
  }

  // Azurite answers a removed blob's If-Match with 412 too; the reader still says NotFound.
  ASSERT_TRUE(b->put("data/moving", original, {}));
  auto reader = b->open_reader("data/moving").value();
  ASSERT_TRUE(reader->read(kMiB));
  ASSERT_TRUE(b->remove("data/moving"));
  auto gone = reader->read(kMiB);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound) << gone.error().message;
  EXPECT_NE(gone.error().message.find("blob 'data/moving'"), std::string::npos) << gone.error().message;
  EXPECT_NE(gone.error().message.find("removed while it was being read"), std::string::npos)
      << gone.error().message;
}

TEST_F(AzureStream, MoreThanTheMaximumOfBlocksIsRefusedNamingTheBlob) {
  // Azure's limit is 50 000 blocks; it is lowered to 3 to keep this test small.
  auto options = stream_options(1024, 1024);
  options.max_blocks = 3;
  options.block_threads = 2;
  RequestCounter counter(azurite_->port(), {kPutBlock});
  auto b = backend(options, counter.port());

  auto fits = b->open_writer("data/fits", {}, false).value();
  std::string three_blocks = random_bytes(3 * 1024, 9);
  ASSERT_TRUE(write_in_pieces(*fits, three_blocks, {1000}));
  ASSERT_TRUE(fits->commit());
  EXPECT_EQ(counter.count(kPutBlock), 3);

  // The write that needs a 4th block fails, before block 3 is sent for nothing.
  auto too_big = b->open_writer("data/too-big", {}, false).value();
  std::string four_blocks = random_bytes(3 * 1024 + 1, 10);
  Status written = write_in_pieces(*too_big, four_blocks, {1000});
  ASSERT_FALSE(written);
  EXPECT_EQ(counter.count(kPutBlock), 3 + 2);
  EXPECT_EQ(written.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(written.error().retryable);
  for (const char* part : {"blob 'data/too-big'", "3 blocks of 1024 bytes", "3072 bytes"}) {
    EXPECT_NE(written.error().message.find(part), std::string::npos)
        << part << " missing in: " << written.error().message;
  }
  EXPECT_FALSE(too_big->commit());

  EXPECT_TRUE(b->get("data/fits")->data == three_blocks);
  EXPECT_FALSE(b->exists("data/too-big").value());
  // put() knows the size, so it grows its blocks to stay within the limit.
  ASSERT_TRUE(b->put("data/too-big", four_blocks, {}));
  EXPECT_TRUE(b->get("data/too-big")->data == four_blocks);
  EXPECT_EQ(block_count(*b, "data/too-big", "CommittedBlocks"), 3);
}

TEST_F(AzureStream, ObjectStoreStreamsBlobsThroughTheAzureBackend) {
  RequestCounter counter(azurite_->port(), {kPutBlob, kPutBlock, kPutBlockList, kRangedGet});
  storage::TransformOptions transforms;
  transforms.compression = "zstd";
  transforms.stream_threshold = 0;  // every blob takes the streaming path
  storage::ObjectStore store("az", backend(stream_options(4 * kMiB, 4 * kMiB), counter.port()), transforms);
  TempDir dir;
  std::string content = random_bytes(16 * kMiB, 14) + std::string(4 * kMiB, 'z');  // 20 MiB
  auto path = dir.path() / "sstable.db";
  std::ofstream(path, std::ios::binary) << content;
  std::string digest = codec::blake2s_hex(content);

  auto stored = store.upload_blob(digest, path, content.size(), /*verify=*/true);
  ASSERT_TRUE(stored) << stored.error().message;
  ASSERT_TRUE(store.flush());
  EXPECT_LT(*stored, content.size()) << "zstd shrank the repetitive tail";
  EXPECT_GT(*stored, 15 * kMiB) << "but not the random bytes";
  int blocks = static_cast<int>((*stored + 4 * kMiB - 1) / (4 * kMiB));
  EXPECT_EQ(upload_requests(counter), (UploadRequests{0, blocks, 1}));

  codec::StringSink streamed;
  auto downloaded = store.download_blob_to(digest, streamed);
  ASSERT_TRUE(downloaded) << downloaded.error().message;
  EXPECT_TRUE(streamed.out == content) << streamed.out.size() << " bytes vs " << content.size();
  EXPECT_EQ(counter.count(kRangedGet), blocks) << "read back in ranges of a block";

  auto whole = store.download_blob(digest);  // the whole-buffer decoder reads the same format
  ASSERT_TRUE(whole) << whole.error().message;
  EXPECT_TRUE(*whole == content);
  EXPECT_EQ(store.backend().get("data/" + digest)->metadata, (Metadata{{"compression-algorithm", "zstd"}}));
}

}  // namespace
}  // namespace astacus::testing
