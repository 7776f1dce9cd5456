// ObjectStore::upload_blob with a vouched file identity: one hashing pass instead of two, and
// still nothing stored when the file changes before or while it is read.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "base/files.h"
#include "codec/blake2s.h"
#include "storage/local/local_backend.h"
#include "storage/object_store.h"
#include "storage/tests/temp_dir.h"

namespace astacus::storage {
namespace {

namespace fs = std::filesystem;

std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

FileIdentity identity_of(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0) << path;
  auto id = file_identity(fd, path);
  ::close(fd);
  return id.value();
}

void set_mtime_ns(const fs::path& path, int64_t ns) {
  struct timespec times[2] = {{0, UTIME_OMIT}, {ns / 1'000'000'000, ns % 1'000'000'000}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

// A local backend whose streamed writers touch `victim` (a new mtime) at their first write: a
// stand-in for a database writing to a file while it is being uploaded.
class TouchingBackend final : public LocalBackend {
 public:
  TouchingBackend(fs::path dir, fs::path victim) : LocalBackend(std::move(dir), "p"), victim_(std::move(victim)) {}
  Result<std::unique_ptr<ObjectWriter>> open_writer(const std::string& key, const Metadata& metadata,
                                                    bool batched) override {
    auto inner = LocalBackend::open_writer(key, metadata, batched);
    if (!inner) return inner;
    return std::unique_ptr<ObjectWriter>(std::make_unique<Touching>(std::move(*inner), victim_));
  }

 private:
  class Touching final : public ObjectWriter {
   public:
    Touching(std::unique_ptr<ObjectWriter> inner, fs::path victim) : inner_(std::move(inner)), victim_(std::move(victim)) {}
    Status write(std::string_view bytes) override {
      if (!touched_) set_mtime_ns(victim_, wall_clock_ns() - 7'000'000'000);
      touched_ = true;
      return inner_->write(bytes);
    }
    Status commit() override { return inner_->commit(); }

   private:
    std::unique_ptr<ObjectWriter> inner_;
    fs::path victim_;
    bool touched_ = false;
  };
  fs::path victim_;
};

class VouchedUpload : public ::testing::TestWithParam<uint64_t> {  // the stream threshold
 protected:
  std::unique_ptr<ObjectStore> store(std::unique_ptr<Backend> backend = nullptr) {
    TransformOptions options;
    options.compression = "zstd";
    options.stream_threshold = GetParam();
    if (!backend) backend = std::make_unique<LocalBackend>(tmp_.path(), "p");
    return std::make_unique<ObjectStore>("site", std::move(backend), options);
  }
  fs::path write_source(const std::string& content) {
    fs::path path = tmp_.path() / ("source-" + random_hex(6));
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  bool stored(const std::string& hexdigest) { return fs::exists(tmp_.path() / "p/data" / hexdigest); }
  testing::TempDir tmp_;
};

TEST_P(VouchedUpload, AMatchingIdentityIsTrustedWithoutHashing) {
  const std::string content = random_bytes(3 << 20, 1);
  fs::path source = write_source(content);
  // A digest the bytes do not have: accepted only because the identity vouches for the file.
  const std::string vouched_digest = codec::blake2s_hex("something else");
  auto s = store();
  ASSERT_TRUE(s->upload_blob(vouched_digest, source, content.size(), true, identity_of(source)));
  ASSERT_TRUE(s->flush());
  EXPECT_TRUE(stored(vouched_digest));
  EXPECT_EQ(s->download_blob(vouched_digest).value(), content);
}

TEST_P(VouchedUpload, AnotherIdentityMeansTheFileIsHashedAgain) {
  const std::string content = random_bytes(3 << 20, 2);
  fs::path source = write_source(content);
  FileIdentity old = identity_of(source);
  old.ctime_ns -= 1;  // as if something changed the file since its digest was taken
  auto s = store();
  const std::string wrong = codec::blake2s_hex("something else");
  auto refused = s->upload_blob(wrong, source, content.size(), true, old);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("no longer has the snapshotted content"), std::string::npos)
      << refused.error().message;
  const std::string right = codec::blake2s_hex(content);
  ASSERT_TRUE(s->upload_blob(right, source, content.size(), true, old));
  ASSERT_TRUE(s->flush());
  EXPECT_FALSE(stored(wrong));
  EXPECT_TRUE(stored(right));
}

TEST_P(VouchedUpload, WithoutVerifyTheIdentityIsNotConsulted) {
  const std::string content = random_bytes(100 << 10, 3);
  fs::path source = write_source(content);
  FileIdentity other = identity_of(source);
  other.size += 1;
  auto s = store();
  const std::string hex = codec::blake2s_hex(content);
  ASSERT_TRUE(s->upload_blob(hex, source, content.size(), false, other));
  ASSERT_TRUE(s->flush());
  EXPECT_TRUE(stored(hex));
}

INSTANTIATE_TEST_SUITE_P(WholeAndStreamed, VouchedUpload, ::testing::Values(UINT64_MAX, 0),
                         [](const auto& info) { return info.param == 0 ? "Streamed" : "Whole"; });

TEST(VouchedUploadStreamed, AFileTouchedWhileReadStoresNothing) {
  testing::TempDir tmp;
  const std::string content = random_bytes(3 << 20, 4);
  fs::path source = tmp.path() / "source";
  std::ofstream(source, std::ios::binary) << content;
  FileIdentity before = identity_of(source);
  TransformOptions options;
  options.compression = "zstd";
  options.stream_threshold = 0;
  ObjectStore s("site", std::make_unique<TouchingBackend>(tmp.path(), source), options);
  const std::string hex = codec::blake2s_hex(content);
  auto refused = s.upload_blob(hex, source, content.size(), true, before);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("changed while it was being uploaded"), std::string::npos)
      << refused.error().message;
  ASSERT_TRUE(s.flush());
  EXPECT_TRUE(s.list_hexdigests().value().empty());
  EXPECT_FALSE(fs::exists(tmp.path() / "p/data" / hex));
}

}  // namespace
}  // namespace astacus::storage
