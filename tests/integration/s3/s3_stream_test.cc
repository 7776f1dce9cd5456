// The S3 backend's streaming writer and reader against a real s3rver on 127.0.0.1: one PUT for
// small objects, multipart parts sent as they fill, ranged reads, aborts of dropped or failed
// writers, the part limit, objects replaced mid-read, and ObjectStore's streaming path over S3.
// Requests are counted by proxies (tcp_proxy.h) placed between the backend and s3rver.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <memory>

#include "codec/blake2s.h"
#include "storage/object_store.h"
#include "storage/s3/multipart.h"
#include "storage/s3/object_stream.h"
#include "storage/s3/s3_backend.h"
#include "storage/s3/s3_call.h"
#include "storage/s3/s3_config.h"
#include "support/stream_io.h"
#include "support/cluster.h"
#include "support/services.h"
#include "support/tcp_proxy.h"

namespace astacus::testing {
namespace {

using storage::Backend;
using storage::Metadata;
using storage::ObjectReader;
using storage::ObjectWriter;
using storage::S3BackendOptions;

constexpr const char* kBucket = "astacus-test";
constexpr size_t kMiB = 1024 * 1024;
// Markers of the requests counted (see tcp_proxy.h; s3rver does not check part sizes, so
// 1 MiB parts keep the tests fast).
constexpr const char* kCreate = "?uploads";  // CreateMultipartUpload
constexpr const char* kPart = "partNumber=";
constexpr const char* kRangedGet = "range: bytes=";

S3BackendOptions options_with_parts(size_t part_size) {
  S3BackendOptions o;
  o.part_size = static_cast<int64_t>(part_size);
  o.retry.initial_backoff = std::chrono::milliseconds(20);
  o.retry.max_backoff = std::chrono::milliseconds(200);
  return o;
}

std::unique_ptr<Backend> make_backend(const config::S3StorageConfig& c, const S3BackendOptions& o) {
  auto b = storage::make_s3_backend("main", c, o);
  if (!b) throw std::runtime_error(b.error().to_string());
  return std::move(*b);
}

// Proxies in a row in front of a port, each counting the requests that carry its marker.
class RequestCounter {
 public:
  RequestCounter(int target_port, const std::vector<std::string>& markers) {
    int port = target_port;
    for (auto it = markers.rbegin(); it != markers.rend(); ++it) {
      proxies_.push_front(std::make_unique<DroppingProxy>(port, *it, 0));
      port = proxies_.front()->port();
    }
    markers_ = markers;
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

config::S3StorageConfig via(const config::S3StorageConfig& c, int port) {
  config::S3StorageConfig out = c;
  out.port = port;
  return out;
}


std::string md5_hex(std::string_view data) {
  storage::s3::Md5Hasher md5;
  md5.update(data);
  return md5.finish_hex();
}

storage::s3::Client raw_client(const config::S3StorageConfig& c) {
  auto settings = storage::s3::resolve_settings("main", c);
  if (!settings) throw std::runtime_error(settings.error().to_string());
  return storage::s3::Client(std::move(*settings), 2);
}

std::string stored_etag(const config::S3StorageConfig& c, const std::string& key) {
  auto client = raw_client(c);
  auto head = storage::s3::call(client, storage::s3::RetryPolicy{}, {"HEAD", key, {}, {}, {}});
  if (!head) return "HEAD failed: " + head.error().message;
  const std::string* etag = head->header("etag");
  return etag ? *etag : "no ETag";
}

class S3Stream : public ::testing::Test {
 protected:
  S3rver server_{{kBucket}};
};

TEST_F(S3Stream, ObjectWithinOnePartIsOnePutWithMetadataAndEncryptionHeader) {
  auto c = server_.site_config(kBucket);
  c.encrypted = true;  // x-amz-server-side-encryption: AES256 (s3rver accepts and ignores it)
  const std::string sse = "x-amz-server-side-encryption: AES256";
  RequestCounter counter(server_.port(), {"PUT /astacus-test/data/", kCreate, kPart, sse});
  auto b = make_backend(via(c, counter.port()), options_with_parts(kMiB));
  Metadata md = {{"compression-algorithm", "zstd"}, {"encryption-key-id", "k1"}};

  std::string small = random_bytes(300000, 1);
  auto writer = b->open_writer("data/small", md, /*batched=*/true).value();  // batched: no meaning for S3
  ASSERT_TRUE(write_in_pieces(*writer, small, {1, 4096, 65537}));
  EXPECT_FALSE(b->exists("data/small").value()) << "nothing visible before commit";
  auto committed = writer->commit();
  ASSERT_TRUE(committed) << committed.error().message;
  auto late = writer->write("x");
  ASSERT_FALSE(late) << "a committed writer takes no more bytes";
  EXPECT_EQ(late.error().code, ErrorCode::kInternal);

  // Exactly one part long: still one PUT, as put() does.
  std::string exact = random_bytes(kMiB, 2);
  writer = b->open_writer("data/exact", {}, false).value();
  ASSERT_TRUE(write_in_pieces(*writer, exact, {kMiB / 3}));
  ASSERT_TRUE(writer->commit());
  // An empty object too.
  writer = b->open_writer("data/empty", md, false).value();
  ASSERT_TRUE(writer->commit());

  EXPECT_EQ(counter.count("PUT /astacus-test/data/"), 3);
  EXPECT_EQ(counter.count(kCreate), 0);
  EXPECT_EQ(counter.count(kPart), 0);
  EXPECT_EQ(counter.count(sse), 3) << "every PUT carries the encryption header";

  auto got = b->get("data/small");  // visible without flush(): S3 does not batch
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->data == small);
  EXPECT_EQ(got->metadata, md);
  EXPECT_TRUE(b->get("data/exact")->data == exact);
  EXPECT_EQ(b->get("data/empty")->data, "");
  EXPECT_EQ(b->get("data/empty")->metadata, md);
  EXPECT_EQ(stored_etag(c, "data/small"), "\"" + md5_hex(small) + "\"");

  auto reader = b->open_reader("data/empty").value();
  EXPECT_EQ(reader->metadata(), md);
  EXPECT_EQ(reader->read(100).value(), "");
}

TEST_F(S3Stream, SeveralPartsWrittenInOddPiecesReadBackByteIdentical) {
  auto c = server_.site_config(kBucket, "stream");
  c.encrypted = true;
  const std::string sse = "x-amz-server-side-encryption: AES256";
  RequestCounter counter(server_.port(), {kCreate, kPart, kRangedGet, sse});
  auto b = make_backend(via(c, counter.port()), options_with_parts(kMiB));
  std::string data = random_bytes(5 * kMiB + 12345, 3);  // 6 parts of 1 MiB, the last one short
  Metadata md = {{"compression-algorithm", "zstd"}};

  auto writer = b->open_writer("data/big", md, false).value();
  ASSERT_TRUE(write_in_pieces(*writer, data, {1, 7, 65536, kMiB + 3, 333333}));
  EXPECT_EQ(counter.count(kCreate), 1) << "started once the first part was full";
  // Parts 1-5 were handed out, at most 4 at a time: at least one is done before commit().
  EXPECT_GE(counter.count(kPart), 1) << "parts go out while the object is being written";
  EXPECT_FALSE(b->exists("data/big").value()) << "nothing visible before commit";
  auto committed = writer->commit();
  ASSERT_TRUE(committed) << committed.error().message;
  EXPECT_EQ(counter.count(kCreate), 1);
  EXPECT_EQ(counter.count(kPart), 6);
  EXPECT_EQ(counter.count(sse), 1) << "only CreateMultipartUpload carries the encryption header";

  auto got = b->get("data/big");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->data == data) << got->data.size() << " bytes vs " << data.size();
  EXPECT_EQ(got->metadata, md);
  // AWS gives a multipart object the ETag "<md5 of the parts' md5s>-<parts>"; s3rver gives the
  // whole object's MD5 (which is why the writer keeps a running MD5, see complete()).
  std::string etag = stored_etag(c, "stream/data/big");
  EXPECT_TRUE(etag == "\"" + md5_hex(data) + "\"" || etag.ends_with("-6\"")) << etag;

  auto reader = b->open_reader("data/big");
  ASSERT_TRUE(reader) << reader.error().message;
  EXPECT_EQ((*reader)->metadata(), md);
  EXPECT_EQ(counter.count(kRangedGet), 0) << "opening reads only the HEAD";
  std::string read = read_in_pieces(**reader, {1, 100, 4096, kMiB + 3, 3 * kMiB, 77777});
  EXPECT_TRUE(read == data) << read.size() << " bytes vs " << data.size();
  EXPECT_EQ(counter.count(kRangedGet), 6) << "one ranged GET of at most a part per part";
  EXPECT_EQ((*reader)->read(10).value(), "") << "the end stays the end";
}

TEST_F(S3Stream, DroppedWriterLeavesNoObjectAndAbortsItsUpload) {
  const std::string abort = "DELETE /astacus-test/data/abandoned?uploadId=";
  RequestCounter counter(server_.port(), {kCreate, kPart, abort});
  auto b = make_backend(via(server_.site_config(kBucket), counter.port()), options_with_parts(kMiB));
  {
    auto writer = b->open_writer("data/abandoned", {{"compression-algorithm", "zstd"}}, true).value();
    ASSERT_TRUE(writer->write(random_bytes(3 * kMiB + 5, 4)));  // parts 1-3 sent, 5 bytes pending
  }
  EXPECT_EQ(counter.count(kCreate), 1);
  EXPECT_EQ(counter.count(kPart), 3);
  // s3rver 3.7 does not implement AbortMultipartUpload (it answers 405) nor ListMultipartUploads,
  // so what can be checked is that the abort was sent, once.
  EXPECT_EQ(counter.count(abort), 1);
  EXPECT_FALSE(b->exists("data/abandoned").value());
  EXPECT_TRUE(b->list("data").value().empty());
}

TEST_F(S3Stream, ConnectionsDroppedMidStreamFailTheWriterAndLeaveNoObject) {
  auto direct = make_backend(server_.site_config(kBucket), options_with_parts(kMiB));
  ASSERT_TRUE(direct->put("data/kept", "old version", {}));
  DroppingProxy dropping(server_.port(), "partNumber=2&", -1);  // part 2 never gets through
  const std::string abort = "?uploadId=";  // in DELETE (abort) and POST (complete) requests
  RequestCounter counter(dropping.port(), {"DELETE /astacus-test/data/", abort});
  auto options = options_with_parts(kMiB);
  options.retry.max_attempts = 3;
  auto b = make_backend(via(server_.site_config(kBucket), counter.port()), options);
  std::string data = random_bytes(3 * kMiB + 100, 5);

  for (const char* key : {"data/new", "data/kept"}) {
    SCOPED_TRACE(key);
    auto writer = b->open_writer(key, {}, false).value();
    Status written = write_in_pieces(*writer, data, {256 * 1024});
    Status committed = written ? writer->commit() : written;
    ASSERT_FALSE(committed);
    EXPECT_EQ(committed.error().code, ErrorCode::kUnavailable) << committed.error().message;
    EXPECT_TRUE(committed.error().retryable);
    EXPECT_NE(committed.error().message.find(key), std::string::npos) << committed.error().message;
    EXPECT_NE(committed.error().message.find("after 3 attempts"), std::string::npos) << committed.error().message;
    // A failed writer stays failed, with the same error.
    auto again = writer->write("more");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().message, committed.error().message);
    EXPECT_FALSE(writer->commit());
  }
  EXPECT_GE(dropping.dropped(), 6);  // 3 attempts per object
  EXPECT_EQ(counter.count("DELETE /astacus-test/data/"), 2) << "each upload aborted once";
  EXPECT_EQ(counter.count(abort), 2) << "and never completed";
  EXPECT_FALSE(direct->exists("data/new").value());
  EXPECT_EQ(direct->get("data/kept")->data, "old version");
  EXPECT_EQ(direct->list("data").value(), std::vector<std::string>{"kept"});
}

TEST(S3StreamFailures, StoppedServerFailsTheWriterWithAClearError) {
  S3rver server({kBucket});
  auto options = options_with_parts(kMiB);
  options.retry.max_attempts = 2;
  auto b = make_backend(server.site_config(kBucket), options);
  auto writer = b->open_writer("data/stopped", {}, false).value();
  ASSERT_TRUE(writer->write(random_bytes(kMiB + 1, 6)));  // part 1 sent
  server.kill();
  Status written = writer->write(random_bytes(2 * kMiB, 7));
  Status committed = written ? writer->commit() : written;
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().code, ErrorCode::kUnavailable) << committed.error().message;
  EXPECT_NE(committed.error().message.find("data/stopped"), std::string::npos) << committed.error().message;
  EXPECT_NE(committed.error().message.find(server.endpoint()), std::string::npos) << committed.error().message;
}

TEST_F(S3Stream, LostAnswerToCompleteIsRecognisedByTheRunningMd5) {
  // s3rver completes the upload but the answer never arrives; its retry is refused (a 500):
  // the object is recognised by its ETag, the whole object's MD5 kept while streaming.
  DroppingProxy proxy(server_.port(), "POST /astacus-test/data/lost?uploadId=", 1, DropMode::kResponse);
  auto b = make_backend(via(server_.site_config(kBucket), proxy.port()), options_with_parts(kMiB));
  std::string data = random_bytes(2 * kMiB + 500, 8);
  auto writer = b->open_writer("data/lost", {}, false).value();
  ASSERT_TRUE(write_in_pieces(*writer, data, {100000}));
  auto committed = writer->commit();
  ASSERT_TRUE(committed) << committed.error().message;
  EXPECT_EQ(proxy.dropped(), 1);
  EXPECT_TRUE(b->get("data/lost")->data == data);
}

TEST_F(S3Stream, MoreThanTheMaximumOfPartsIsRefusedNamingTheKey) {
  // S3's limit is 10 000 parts; the writer's limit is lowered to 3 to keep this test small.
  auto client = raw_client(server_.site_config(kBucket));
  storage::s3::RetryPolicy policy;
  storage::s3::StreamingLimits limits{.part_size = 1024, .parts_in_flight = 2, .max_parts = 3};

  auto fits = storage::s3::make_streaming_writer(client, policy, "data/fits", {}, limits);
  std::string three_parts = random_bytes(3 * 1024, 9);
  ASSERT_TRUE(write_in_pieces(*fits, three_parts, {1000}));
  ASSERT_TRUE(fits->commit());

  // The write that needs a 4th part fails, before part 3 is sent for nothing.
  RequestCounter counter(server_.port(), {kPart});
  auto counted = raw_client(via(server_.site_config(kBucket), counter.port()));
  auto too_big = storage::s3::make_streaming_writer(counted, policy, "data/too-big", {}, limits);
  Status written = write_in_pieces(*too_big, random_bytes(3 * 1024 + 1, 10), {1000});
  ASSERT_FALSE(written);
  EXPECT_EQ(counter.count(kPart), 2);
  EXPECT_EQ(written.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(written.error().retryable);
  for (const char* part : {"data/too-big", "3 parts of 1024 bytes", "3072 bytes"}) {
    EXPECT_NE(written.error().message.find(part), std::string::npos)
        << part << " missing in: " << written.error().message;
  }
  EXPECT_FALSE(too_big->commit());

  auto b = make_backend(server_.site_config(kBucket), options_with_parts(kMiB));
  EXPECT_TRUE(b->get("data/fits")->data == three_parts);
  EXPECT_FALSE(b->exists("data/too-big").value());
}

TEST_F(S3Stream, ReaderOfAMissingKeyIsNotFoundNamingIt) {
  auto b = make_backend(server_.site_config(kBucket, "pfx"), options_with_parts(kMiB));
  auto reader = b->open_reader("data/missing");
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().code, ErrorCode::kNotFound);
  EXPECT_NE(reader.error().message.find("pfx/data/missing"), std::string::npos) << reader.error().message;
  EXPECT_NE(reader.error().message.find(kBucket), std::string::npos) << reader.error().message;
}

TEST_F(S3Stream, ObjectReplacedOrRemovedMidReadFailsTheReader) {
  auto b = make_backend(server_.site_config(kBucket), options_with_parts(kMiB));
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
    EXPECT_NE(next.error().message.find("data/moving"), std::string::npos) << next.error().message;
    EXPECT_NE(next.error().message.find("changed while it was being read"), std::string::npos)
        << next.error().message;
  }

  ASSERT_TRUE(b->put("data/moving", original, {}));
  auto reader = b->open_reader("data/moving").value();
  ASSERT_TRUE(reader->read(kMiB));
  ASSERT_TRUE(b->remove("data/moving"));
  auto gone = reader->read(kMiB);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound) << gone.error().message;
  EXPECT_NE(gone.error().message.find("data/moving"), std::string::npos) << gone.error().message;
}

TEST_F(S3Stream, ObjectStoreStreamsBlobsThroughTheS3Backend) {
  RequestCounter counter(server_.port(), {kCreate, kPart, kRangedGet});
  auto options = options_with_parts(5 * kMiB);
  storage::TransformOptions transforms;
  transforms.compression = "zstd";
  transforms.stream_threshold = 0;  // every blob takes the streaming path
  storage::ObjectStore store("s3", make_backend(via(server_.site_config(kBucket), counter.port()), options),
                             transforms);
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
  EXPECT_EQ(counter.count(kCreate), 1);
  EXPECT_EQ(counter.count(kPart), static_cast<int>((*stored + 5 * kMiB - 1) / (5 * kMiB)));

  codec::StringSink streamed;
  auto downloaded = store.download_blob_to(digest, streamed);
  ASSERT_TRUE(downloaded) << downloaded.error().message;
  EXPECT_TRUE(streamed.out == content) << streamed.out.size() << " bytes vs " << content.size();
  EXPECT_EQ(counter.count(kRangedGet), counter.count(kPart)) << "read back in ranges of a part";

  auto whole = store.download_blob(digest);  // the whole-buffer decoder reads the same format
  ASSERT_TRUE(whole) << whole.error().message;
  EXPECT_TRUE(*whole == content);
  EXPECT_EQ(store.backend().get("data/" + digest)->metadata, (Metadata{{"compression-algorithm", "zstd"}}));
}

}  // namespace
}  // namespace astacus::testing
