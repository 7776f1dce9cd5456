// The GCS backend's streaming writer and reader against the GCS stand-in (gcs_stand_in) on
// 127.0.0.1: objects within one chunk uploaded as put() does, chunks sent as they fill with
// "bytes A-B/*", resume after cut connections and lost answers, sessions cancelled when a writer is
// dropped or fails, ranged reads pinned to a generation, and ObjectStore's streaming path over GCS.
// The stand-in counts the requests (GcsStandIn::stats()).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "codec/blake2s.h"
#include "gcs_stand_in_process.h"
#include "storage/gcs/gcs_backend.h"
#include "storage/gcs/gcs_upload.h"
#include "storage/object_store.h"
#include "support/stream_io.h"
#include "support/cluster.h"

namespace astacus::testing {
namespace {

using storage::GcsBackend;
using storage::GcsBackendOptions;
using storage::Metadata;
using storage::ObjectReader;
using storage::ObjectWriter;

constexpr const char* kBucket = "astacus-test";
constexpr size_t kQuantum = 256 * 1024;
constexpr size_t kMiB = 1024 * 1024;

GcsBackendOptions options_with_chunk(size_t chunk_size) {
  GcsBackendOptions o;
  o.retry.initial_backoff = std::chrono::milliseconds(20);
  o.retry.max_backoff = std::chrono::milliseconds(200);
  o.chunk_size = chunk_size;
  return o;
}

std::unique_ptr<GcsBackend> make_backend(const config::GoogleStorageConfig& c, const GcsBackendOptions& o) {
  auto b = storage::make_gcs_backend("main", c, o);
  if (!b) throw std::runtime_error(b.error().to_string());
  return std::move(*b);
}

Metadata sorted(Metadata md) {
  std::sort(md.begin(), md.end());
  return md;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }


// Stand-in counters since the snapshot was taken.
class StatsDelta {
 public:
  explicit StatsDelta(const GcsStandIn& server) : server_(server), before_(server.stats()) {}
  int operator[](const std::string& counter) const {
    return server_.stats()[counter].get<int>() - before_[counter].get<int>();
  }

 private:
  const GcsStandIn& server_;
  nlohmann::json before_;
};

class GcsStandInStream : public ::testing::Test {
 protected:
  GcsStandIn server_{{{kBucket}}};
};

TEST_F(GcsStandInStream, ObjectWithinOneChunkIsUploadedAsPutDoes) {
  auto b = make_backend(server_.site_config(kBucket), options_with_chunk(kMiB));
  Metadata md = {{"compression-algorithm", "zstd"}, {"encryption-key-id", "k1"}};

  std::string small = random_bytes(300000, 1);
  auto writer = b->open_writer("data/small", md, /*batched=*/true).value();  // batched: no meaning for GCS
  ASSERT_TRUE(write_in_pieces(*writer, small, {1, 4096, 65537}));
  EXPECT_EQ(server_.stats()["sessions"], 0) << "nothing is sent before commit()";
  EXPECT_FALSE(b->exists("data/small").value());
  auto committed = writer->commit();
  ASSERT_TRUE(committed) << committed.error().message;
  auto late = writer->write("x");
  ASSERT_FALSE(late) << "a committed writer takes no more bytes";
  EXPECT_EQ(late.error().code, ErrorCode::kInternal);

  // Exactly one chunk long: still one PUT with the size known.
  std::string exact = random_bytes(kMiB, 2);
  writer = b->open_writer("data/exact", {}, false).value();
  ASSERT_TRUE(write_in_pieces(*writer, exact, {kMiB / 3}));
  ASSERT_TRUE(writer->commit());
  // An empty object too ("bytes */0", as put("") sends).
  writer = b->open_writer("data/empty", md, false).value();
  ASSERT_TRUE(writer->commit());

  auto stats = server_.stats();
  EXPECT_EQ(stats["sessions"], 3);
  EXPECT_EQ(stats["chunks"], 2) << "one PUT each for the small and the exact object";
  EXPECT_EQ(stats["open_ended_chunks"], 0) << "the size is known, as in put()";
  EXPECT_EQ(stats["status_queries"], 1) << "the empty object";
  EXPECT_EQ(stats["open_sessions"], 0);

  auto got = b->get("data/small");  // visible without flush(): GCS does not batch
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->data == small);
  EXPECT_EQ(sorted(got->metadata), sorted(md));
  EXPECT_TRUE(b->get("data/exact")->data == exact);
  EXPECT_EQ(b->get("data/empty")->data, "");
  EXPECT_EQ(sorted(b->get("data/empty")->metadata), sorted(md));

  StatsDelta reads(server_);
  auto reader = b->open_reader("data/small").value();
  EXPECT_EQ(sorted(reader->metadata()), sorted(md));
  EXPECT_TRUE(read_in_pieces(*reader, {100000, 7}) == small);
  EXPECT_EQ(reads["ranged_gets"], 1) << "one range covers an object within a chunk";
  auto empty = b->open_reader("data/empty").value();
  EXPECT_EQ(sorted(empty->metadata()), sorted(md));
  EXPECT_EQ(empty->read(100).value(), "");
  EXPECT_EQ(reads["media_gets"], 1) << "an empty object needs no media GET";
}

TEST_F(GcsStandInStream, SeveralChunksWrittenInOddPiecesReadBackByteIdentical) {
  Metadata md = {{"compression-algorithm", "zstd"}};
  std::string data = random_bytes(5 * kMiB + 12345, 3);
  for (size_t chunk : {kQuantum, kMiB}) {
    SCOPED_TRACE("chunk size " + std::to_string(chunk));
    const int chunks = static_cast<int>((data.size() + chunk - 1) / chunk);  // the last one short
    auto b = make_backend(server_.site_config(kBucket, "chunk-" + std::to_string(chunk)), options_with_chunk(chunk));
    StatsDelta delta(server_);

    auto writer = b->open_writer("data/big", md, false).value();
    ASSERT_TRUE(write_in_pieces(*writer, data, {1, 7, 65536, kMiB + 3, 333333}));
    EXPECT_EQ(delta["sessions"], 1) << "opened once the first chunk was full";
    // All but the last chunk were handed out, one at a time: all but one are done.
    EXPECT_GE(delta["chunks"], chunks - 2) << "chunks go out while the object is being written";
    EXPECT_FALSE(b->exists("data/big").value()) << "nothing visible before commit()";
    EXPECT_TRUE(b->list("data").value().empty());
    auto committed = writer->commit();
    ASSERT_TRUE(committed) << committed.error().message;
    EXPECT_EQ(delta["sessions"], 1);
    EXPECT_EQ(delta["chunks"], chunks);
    EXPECT_EQ(delta["open_ended_chunks"], chunks - 1) << "'bytes A-B/*' until the last chunk";
    EXPECT_EQ(delta["status_queries"], 0);
    EXPECT_EQ(server_.stats()["open_sessions"], 0);

    auto got = b->get("data/big");
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_TRUE(got->data == data) << got->data.size() << " bytes vs " << data.size();
    EXPECT_EQ(got->metadata, md);

    StatsDelta reads(server_);
    auto reader = b->open_reader("data/big");
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_EQ((*reader)->metadata(), md);
    EXPECT_EQ(reads["media_gets"], 0) << "opening reads only the object resource";
    std::string read = read_in_pieces(**reader, {1, 100, 4096, kMiB + 3, 3 * kMiB, 77777});
    EXPECT_TRUE(read == data) << read.size() << " bytes vs " << data.size();
    EXPECT_EQ(reads["ranged_gets"], chunks) << "one ranged GET of at most a chunk per chunk";
    EXPECT_EQ(reads["media_gets"], chunks) << "and no whole-object GET";
    EXPECT_EQ((*reader)->read(10).value(), "") << "the end stays the end";
  }

  // A multiple of the chunk size: the last full chunk goes out at commit(), with the total.
  auto b = make_backend(server_.site_config(kBucket, "even"), options_with_chunk(kMiB));
  std::string even = random_bytes(3 * kMiB, 4);
  StatsDelta delta(server_);
  auto writer = b->open_writer("data/even", {}, false).value();
  ASSERT_TRUE(write_in_pieces(*writer, even, {kMiB}));
  ASSERT_TRUE(writer->commit());
  EXPECT_EQ(delta["chunks"], 3);
  EXPECT_EQ(delta["open_ended_chunks"], 2);
  EXPECT_TRUE(b->get("data/even")->data == even);
}

TEST_F(GcsStandInStream, UploadCutMidStreamResumesFromWhatTheServerHas) {
  auto b = make_backend(server_.site_config(kBucket), options_with_chunk(4 * kQuantum));  // 1 MiB chunks
  Metadata md = {{"compression-algorithm", "zstd"}};
  std::string data = random_bytes(10 * kQuantum + 999, 7);  // chunks of 4, 4 and 2 quanta + 999

  // The second chunk is cut after 1.5 quanta: the server keeps one quantum of it.
  server_.drop_uploads(kQuantum + kQuantum / 2, 1, 1);
  StatsDelta delta(server_);
  auto writer = b->open_writer("data/cut", md, false).value();
  ASSERT_TRUE(write_in_pieces(*writer, data, {65537, 12345}));
  auto committed = writer->commit();
  ASSERT_TRUE(committed) << committed.error().message << "\n" << server_.log();
  EXPECT_EQ(delta["drops"], 1);
  EXPECT_GE(delta["status_queries"], 1) << "'bytes */*': what do you have?";
  EXPECT_EQ(delta["sessions"], 1) << "resumed, not started over";
  // 1st, the cut 2nd, the rest of the 2nd (from quantum 5), the last.
  EXPECT_EQ(delta["chunks"], 4);
  EXPECT_EQ(delta["cancelled"], 0);
  auto got = b->get("data/cut");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->data == data);
  EXPECT_EQ(got->metadata, md);

  // Answers lost after the server kept the whole chunk: of the first chunk (nothing is sent
  // again), then of the last one (the status query finds the object complete).
  for (int skip : {0, 2}) {
    SCOPED_TRACE("chunks let through before the lost answer: " + std::to_string(skip));
    server_.drop_uploads(1 << 30, 1, skip);
    StatsDelta lost(server_);
    std::string other = random_bytes(10 * kQuantum + 999, 8 + skip);
    writer = b->open_writer("data/lost", {}, false).value();
    ASSERT_TRUE(write_in_pieces(*writer, other, {kMiB / 2}));
    committed = writer->commit();
    ASSERT_TRUE(committed) << committed.error().message;
    EXPECT_EQ(lost["drops"], 1);
    EXPECT_EQ(lost["chunks"], 3) << "no chunk sent twice";
    EXPECT_GE(lost["status_queries"], 1);
    EXPECT_TRUE(b->get("data/lost")->data == other);
  }
}

TEST_F(GcsStandInStream, DroppedWriterLeavesNoObjectAndCancelsItsSession) {
  auto b = make_backend(server_.site_config(kBucket), options_with_chunk(kQuantum));
  {
    auto writer = b->open_writer("data/abandoned", {{"compression-algorithm", "zstd"}}, true).value();
    ASSERT_TRUE(writer->write(random_bytes(3 * kQuantum + 5, 4)));  // chunks 1-3 sent, 5 bytes pending
  }
  auto stats = server_.stats();
  EXPECT_EQ(stats["sessions"], 1);
  EXPECT_EQ(stats["chunks"], 3);
  EXPECT_EQ(stats["cancelled"], 1) << "the session was cancelled (DELETE of its URI)";
  EXPECT_EQ(stats["open_sessions"], 0);
  EXPECT_EQ(stats["objects"], 0);
  EXPECT_FALSE(b->exists("data/abandoned").value());
  EXPECT_TRUE(b->list("data").value().empty());

  // The server refuses a cancelled session, as GCS does: a writer could not resume it.
  storage::gcs::UploadSession session(b->client(), b->object_name("data/cancelled"), {});
  ASSERT_TRUE(session.start(std::nullopt));
  std::string chunk = random_bytes(kQuantum, 5);
  ASSERT_FALSE(session.send_chunk({0, chunk, std::nullopt, kQuantum}).value());
  EXPECT_EQ(session.persisted(), kQuantum);
  session.cancel();
  EXPECT_EQ(server_.stats()["cancelled"], 2);
  auto refused = session.send_chunk({0, chunk + chunk, 2 * kQuantum, kQuantum});
  ASSERT_FALSE(refused);
  EXPECT_TRUE(session.lost()) << refused.error().message;
  EXPECT_TRUE(contains(refused.error().message, "forgot the upload session of 'data/cancelled'"))
      << refused.error().message;
  EXPECT_FALSE(b->exists("data/cancelled").value());
}

TEST_F(GcsStandInStream, FailedWriterCancelsItsSessionAndLeavesNoObject) {
  auto direct = make_backend(server_.site_config(kBucket), options_with_chunk(kQuantum));
  ASSERT_TRUE(direct->put("data/kept", "old version", {}));
  auto options = options_with_chunk(kQuantum);
  options.retry.max_attempts = 3;
  auto b = make_backend(server_.site_config(kBucket), options);
  std::string data = random_bytes(3 * kQuantum + 100, 5);

  for (const char* key : {"data/new", "data/kept"}) {
    SCOPED_TRACE(key);
    server_.drop_uploads(kQuantum / 2, -1, 1);  // every chunk after the first is cut
    auto writer = b->open_writer(key, {}, false).value();
    Status written = write_in_pieces(*writer, data, {kQuantum / 2});
    Status committed = written ? writer->commit() : written;
    ASSERT_FALSE(committed);
    EXPECT_EQ(committed.error().code, ErrorCode::kUnavailable) << committed.error().message;
    EXPECT_TRUE(committed.error().retryable);
    EXPECT_TRUE(contains(committed.error().message, key)) << committed.error().message;
    EXPECT_TRUE(contains(committed.error().message, "after 3 attempts")) << committed.error().message;
    // A failed writer stays failed, with the same error.
    auto again = writer->write("more");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().message, committed.error().message);
    EXPECT_FALSE(writer->commit());
  }
  server_.drop_uploads(0, 0);
  auto stats = server_.stats();
  EXPECT_EQ(stats["cancelled"], 2) << "each session cancelled once";
  EXPECT_EQ(stats["open_sessions"], 0);
  EXPECT_FALSE(direct->exists("data/new").value());
  EXPECT_EQ(direct->get("data/kept")->data, "old version");
  EXPECT_EQ(direct->list("data").value(), std::vector<std::string>{"kept"});
}

TEST_F(GcsStandInStream, ReaderOfAMissingKeyIsNotFoundNamingIt) {
  auto b = make_backend(server_.site_config(kBucket, "pfx"), options_with_chunk(kMiB));
  auto reader = b->open_reader("data/missing");
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(contains(reader.error().message, "pfx/data/missing")) << reader.error().message;
  EXPECT_TRUE(contains(reader.error().message, kBucket)) << reader.error().message;
}

TEST_F(GcsStandInStream, ObjectReplacedOrRemovedMidReadFailsTheReader) {
  auto b = make_backend(server_.site_config(kBucket), options_with_chunk(kMiB));
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
    StatsDelta delta(server_);
    auto next = reader->read(kMiB);
    ASSERT_FALSE(next) << "read bytes of another generation";
    EXPECT_EQ(next.error().code, ErrorCode::kConflict) << next.error().message;
    EXPECT_TRUE(contains(next.error().message, "data/moving")) << next.error().message;
    EXPECT_TRUE(contains(next.error().message, "changed while it was being read")) << next.error().message;
    EXPECT_EQ(delta["precondition_failures"], 1) << "refused by ifGenerationMatch, not retried";
  }

  ASSERT_TRUE(b->put("data/moving", original, {}));
  auto reader = b->open_reader("data/moving").value();
  ASSERT_TRUE(reader->read(kMiB));
  ASSERT_TRUE(b->remove("data/moving"));
  auto gone = reader->read(kMiB);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound) << gone.error().message;
  EXPECT_TRUE(contains(gone.error().message, "data/moving")) << gone.error().message;
}

TEST_F(GcsStandInStream, ObjectStoreStreamsBlobsThroughTheGcsBackend) {
  constexpr size_t kChunk = 2 * kMiB;
  storage::TransformOptions transforms;
  transforms.compression = "zstd";
  transforms.stream_threshold = 0;  // every blob takes the streaming path
  storage::ObjectStore store("gcs", make_backend(server_.site_config(kBucket, "store"), options_with_chunk(kChunk)),
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
  const int chunks = static_cast<int>((*stored + kChunk - 1) / kChunk);
  auto stats = server_.stats();
  EXPECT_EQ(stats["sessions"], 1);
  EXPECT_EQ(stats["chunks"], chunks);
  EXPECT_EQ(stats["open_ended_chunks"], chunks - 1);

  codec::StringSink streamed;
  auto downloaded = store.download_blob_to(digest, streamed);
  ASSERT_TRUE(downloaded) << downloaded.error().message;
  EXPECT_TRUE(streamed.out == content) << streamed.out.size() << " bytes vs " << content.size();
  EXPECT_EQ(server_.stats()["ranged_gets"], chunks) << "read back in ranges of a chunk";

  auto whole = store.download_blob(digest);  // the whole-buffer decoder reads the same format
  ASSERT_TRUE(whole) << whole.error().message;
  EXPECT_TRUE(*whole == content);
  EXPECT_EQ(store.backend().get("data/" + digest)->metadata, (Metadata{{"compression-algorithm", "zstd"}}));
}

}  // namespace
}  // namespace astacus::testing
