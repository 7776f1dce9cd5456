// The streaming data path: LocalBackend writers/readers and ObjectStore blobs above the stream
// threshold, for every codec and both envelope formats, checked against the whole-buffer path.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "base/files.h"
#include "codec/blake2s.h"
#include "codec/rsa_envelope.h"
#include "storage/local/local_backend.h"
#include "storage/object_store.h"
#include "storage/tests/temp_dir.h"
#include "storage/traffic.h"

namespace astacus::storage {
namespace {

namespace fs = std::filesystem;

const codec::RsaKeyPem& test_key() {
  static const codec::RsaKeyPem key = codec::generate_rsa_key(2048).value();
  return key;
}

std::string mixed_content(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(n);
  while (s.size() < n) {
    if (rng() % 2) {
      for (int i = 0; i < 4096 && s.size() < n; ++i) s.push_back(static_cast<char>(rng()));
    } else {
      s += "row " + std::to_string(rng() % 1000) + " text that compresses\n";
    }
  }
  s.resize(n);
  return s;
}

std::vector<std::string> files_under(const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(LocalBackendStream, StreamedObjectIsByteIdenticalToPut) {
  testing::TempDir tmp;
  LocalBackend backend(tmp.path(), "");
  std::string data = mixed_content(3 << 20, 1);
  Metadata md{{"compression-algorithm", "zstd"}};
  ASSERT_TRUE(backend.put("data/whole", data, md));
  auto writer = backend.open_writer("data/streamed", md, false).value();
  for (size_t at = 0; at < data.size(); at += 100000) ASSERT_TRUE(writer->write(std::string_view(data).substr(at, 100000)));
  EXPECT_FALSE(backend.exists("data/streamed").value()) << "invisible before commit";
  ASSERT_TRUE(writer->commit());
  EXPECT_EQ(read_file(tmp.path() / "data/streamed").value(), data);
  EXPECT_EQ(read_file(tmp.path() / "data/streamed.metadata").value(),
            read_file(tmp.path() / "data/whole.metadata").value());
  EXPECT_EQ(backend.get("data/streamed").value().data, data);
}

TEST(LocalBackendStream, UncommittedWritersLeaveNothingBehind) {
  testing::TempDir tmp;
  LocalBackend backend(tmp.path(), "");
  for (bool batched : {false, true}) {
    auto writer = backend.open_writer("data/abandoned", {}, batched).value();
    ASSERT_TRUE(writer->write("partial bytes"));
  }
  EXPECT_TRUE(files_under(tmp.path()).empty()) << files_under(tmp.path()).front();
  EXPECT_TRUE(backend.list("data").value().empty());
}

TEST(LocalBackendStream, BatchedWriterIsVisibleOnlyAfterFlush) {
  testing::TempDir tmp;
  LocalBackend backend(tmp.path(), "");
  auto writer = backend.open_writer("data/b", {}, true).value();
  ASSERT_TRUE(writer->write("batched"));
  ASSERT_TRUE(writer->commit());
  EXPECT_FALSE(backend.exists("data/b").value());
  ASSERT_TRUE(backend.flush());
  EXPECT_EQ(backend.get("data/b").value().data, "batched");
}

std::string read_all(ObjectReader& reader, size_t piece) {
  std::string out;
  for (;;) {
    auto got = reader.read(piece);
    EXPECT_TRUE(got) << got.error().message;
    if (!got || got->empty()) return out;
    EXPECT_LE(got->size(), piece);
    out.append(*got);
  }
}

TEST(LocalBackendStream, ReaderChecksTheSidecarHashAtTheEnd) {
  testing::TempDir tmp;
  LocalBackend backend(tmp.path(), "");
  std::string data = mixed_content(200000, 2);
  ASSERT_TRUE(backend.put("data/x", data, {{"k", "v"}}));
  auto reader = backend.open_reader("data/x").value();
  EXPECT_EQ(reader->metadata(), (Metadata{{"k", "v"}}));
  EXPECT_EQ(read_all(*reader, 4096), data);

  data[1000] ^= 1;
  std::ofstream(tmp.path() / "data/x", std::ios::binary | std::ios::trunc) << data;
  auto tampered = backend.open_reader("data/x").value();
  Result<std::string_view> piece;
  do piece = tampered->read(65536);
  while (piece && !piece->empty());
  ASSERT_FALSE(piece);
  EXPECT_EQ(piece.error().code, ErrorCode::kCorruption);
  EXPECT_NE(piece.error().message.find("data/x"), std::string::npos) << piece.error().message;

  EXPECT_EQ(backend.open_reader("data/missing").error().code, ErrorCode::kNotFound);
}

struct Codec {
  std::optional<std::string> algorithm;
  bool encrypted = false;
  bool data_key_format = false;
};

TransformOptions options_for(const Codec& c, uint64_t stream_threshold) {
  TransformOptions o;
  o.compression = c.algorithm;
  if (c.encrypted) {
    o.encryption_key_id = "k1";
    o.encryption_keys["k1"] = config::EncryptionKey{test_key().public_pem, test_key().private_pem};
  }
  o.data_key_format = c.data_key_format;
  o.stream_threshold = stream_threshold;
  return o;
}

class ObjectStoreStream : public ::testing::TestWithParam<Codec> {
 protected:
  std::unique_ptr<ObjectStore> store(uint64_t stream_threshold) {
    return std::make_unique<ObjectStore>("site", std::make_unique<LocalBackend>(tmp_.path(), "p"),
                                         options_for(GetParam(), stream_threshold));
  }
  fs::path write_source(const std::string& content) {
    fs::path path = tmp_.path() / ("source-" + random_hex(6));
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  testing::TempDir tmp_;
};

// Records the largest piece too: the stream must not hand out the blob in one go.
class PieceSink final : public codec::ByteSink {
 public:
  Status write(std::string_view bytes) override {
    out.append(bytes);
    largest = std::max(largest, bytes.size());
    return ok();
  }
  std::string out;
  size_t largest = 0;
};

TEST_P(ObjectStoreStream, StreamedUploadsReadBackBothWaysAndWholeUploadsStreamDown) {
  const std::string content = mixed_content((5 << 20) + 123, 3);
  const std::string hex = codec::blake2s_hex(content);
  auto streaming = store(0);
  uint64_t stored = streaming->upload_blob(hex, write_source(content), content.size(), true).value();
  ASSERT_TRUE(streaming->flush());
  EXPECT_EQ(fs::file_size(tmp_.path() / "p/data" / hex), stored);
  EXPECT_EQ(streaming->traffic().put_requests, 1);
  EXPECT_EQ(streaming->traffic().bytes_uploaded, static_cast<int64_t>(stored));

  auto whole = store(UINT64_MAX);
  EXPECT_EQ(whole->download_blob(hex).value(), content) << "the whole-buffer decoder reads streamed objects";
  PieceSink sink;
  ASSERT_TRUE(streaming->download_blob_to(hex, sink));
  EXPECT_EQ(sink.out, content);
  EXPECT_LE(sink.largest, size_t{1} << 20);
  EXPECT_EQ(streaming->traffic().bytes_downloaded, static_cast<int64_t>(stored));

  // And the other way: an object encoded whole streams down.
  const std::string other = mixed_content(3 << 20, 4);
  const std::string other_hex = codec::blake2s_hex(other);
  ASSERT_TRUE(whole->upload_blob_data(other_hex, other));
  ASSERT_TRUE(whole->flush());
  PieceSink other_sink;
  ASSERT_TRUE(streaming->download_blob_to(other_hex, other_sink));
  EXPECT_EQ(other_sink.out, other);
}

TEST_P(ObjectStoreStream, ChangedOrShortFilesStoreNothing) {
  auto streaming = store(0);
  const std::string content = mixed_content(2 << 20, 5);
  const std::string hex = codec::blake2s_hex(content);
  std::string changed = content;
  changed[12345] ^= 0x40;
  auto conflict = streaming->upload_blob(hex, write_source(changed), content.size(), true);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
  auto shorter = streaming->upload_blob(hex, write_source(content.substr(0, 1000)), content.size(), true);
  ASSERT_FALSE(shorter);
  EXPECT_EQ(shorter.error().code, ErrorCode::kConflict);
  EXPECT_NE(shorter.error().message.find("shorter"), std::string::npos) << shorter.error().message;
  ASSERT_TRUE(streaming->flush());
  EXPECT_TRUE(streaming->list_hexdigests().value().empty());
  EXPECT_EQ(streaming->traffic().put_requests, 0);
  std::vector<std::string> left;
  for (const auto& e : fs::recursive_directory_iterator(tmp_.path() / "p")) {
    if (e.is_regular_file()) left.push_back(e.path().string());
  }
  EXPECT_TRUE(left.empty()) << left.front();
}

TEST_P(ObjectStoreStream, CorruptStoredBytesFailTheStream) {
  auto streaming = store(0);
  const std::string content = mixed_content(2 << 20, 6);
  const std::string hex = codec::blake2s_hex(content);
  ASSERT_TRUE(streaming->upload_blob(hex, write_source(content), content.size(), false));
  ASSERT_TRUE(streaming->flush());
  // Rewrite the object through the backend (valid sidecar) with one flipped bit in the middle.
  auto raw = streaming->backend().get("data/" + hex).value();
  raw.data[raw.data.size() / 2] ^= 0x10;
  ASSERT_TRUE(streaming->backend().put("data/" + hex, raw.data, raw.metadata));
  PieceSink sink;
  auto status = streaming->download_blob_to(hex, sink);
  if (status) {
    // Only a format without a check of its own (plain zstd/lzma raw blocks) may decode: then the
    // content differs and the caller's hash check catches it.
    EXPECT_NE(sink.out, content);
  } else {
    EXPECT_EQ(status.error().code, ErrorCode::kCorruption) << status.error().message;
    EXPECT_NE(status.error().message.find(hex), std::string::npos) << status.error().message;
  }
}

TEST_P(ObjectStoreStream, CopyToAnotherSiteStreamsAndRefusesCorruptSources) {
  auto source = store(0);
  const std::string content = mixed_content((3 << 20) + 5, 7);
  const std::string hex = codec::blake2s_hex(content);
  ASSERT_TRUE(source->upload_blob(hex, write_source(content), content.size(), false));
  ASSERT_TRUE(source->flush());
  TransformOptions target_options = options_for(Codec{"zstd"}, 0);
  ObjectStore target("target", std::make_unique<LocalBackend>(tmp_.path(), "target"), target_options);

  uint64_t stored = target.copy_blob_from(*source, hex, content.size()).value();
  ASSERT_TRUE(target.flush());
  EXPECT_EQ(fs::file_size(tmp_.path() / "target/data" / hex), stored);
  EXPECT_EQ(target.download_blob(hex).value(), content) << "re-encoded with the target's codec";
  EXPECT_EQ(target.backend().get("data/" + hex).value().metadata, (Metadata{{"compression-algorithm", "zstd"}}));

  // A source blob whose content is not what its name says is refused, and nothing is stored.
  const std::string other_hex = codec::blake2s_hex("something else");
  ASSERT_TRUE(source->upload_blob(other_hex, write_source(content), content.size(), false));
  ASSERT_TRUE(source->flush());
  auto refused = target.copy_blob_from(*source, other_hex, content.size());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kCorruption);
  EXPECT_NE(refused.error().message.find(other_hex), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("'site'"), std::string::npos) << "names the source: " << refused.error().message;
  auto wrong_size = target.copy_blob_from(*source, hex, content.size() - 1);
  ASSERT_FALSE(wrong_size);
  EXPECT_EQ(wrong_size.error().code, ErrorCode::kCorruption);
  ASSERT_TRUE(target.flush());
  EXPECT_EQ(target.list_hexdigests().value(), std::vector<std::string>{hex});
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, ObjectStoreStream,
                         ::testing::Values(Codec{"zstd"}, Codec{"snappy"}, Codec{"lzma"},
                                           Codec{std::nullopt, true}, Codec{"zstd", true},
                                           Codec{"snappy", true}, Codec{"lzma", true},
                                           Codec{"zstd", true, true}, Codec{std::nullopt, true, true}),
                         [](const auto& info) {
                           return info.param.algorithm.value_or("none") +
                                  (info.param.encrypted ? (info.param.data_key_format ? "_astdk1" : "_pghoa1") : "");
                         });

}  // namespace
}  // namespace astacus::storage
