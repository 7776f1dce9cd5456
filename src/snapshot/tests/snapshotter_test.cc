#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

#include "base/encoding.h"
#include "snapshot/file_digest.h"
#include "snapshot/snapshotter.h"
#include "snapshot/tests/snapshotter_fixture.h"

namespace astacus::snapshot {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFoobigDigest = "552d458198758daac752b948253b0d28bf0f21fcda40c626e54b5f9acf541a16";
constexpr const char* kFoobig2Digest = "d13d8d5177d72633707f17f1d7df9caa169aa87dbc9ee738cb05c5c373591375";

TEST(FileDigest, ReproducesSpecReferenceValues) {  // §12 case 63
  EXPECT_EQ(*internal::blake2s_hex(repeat("foobig", 200)), kFoobigDigest);
  EXPECT_EQ(*internal::blake2s_hex(repeat("foobig2", 200)), kFoobig2Digest);
}

TEST_F(SnapshotterTest, HashesFilesWithSpecReferenceValues) {
  write("big", repeat("foobig", 200));
  write("sub/big2", repeat("foobig2", 200));
  open();
  auto files = snapshot(all_);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].relative_path, "big");
  EXPECT_EQ(files[0].file_size, 1200);
  EXPECT_EQ(files[0].hexdigest, kFoobigDigest);
  EXPECT_FALSE(files[0].embedded());
  EXPECT_EQ(files[1].relative_path, "sub/big2");
  EXPECT_EQ(files[1].hexdigest, kFoobig2Digest);
}

TEST_F(SnapshotterTest, GroupsSelectAndEmbed) {  // §12 case 57
  for (const char* rel : {"folder1/aaa", "folder2/ccc", "bbb", "ddd", "eee"}) write(rel, "12345");
  open();
  auto files = snapshot({{"**/aa*", {}, 100}, {"bb*", {}, 1}, {"folder2/*c", {}, std::nullopt}});
  ASSERT_EQ(paths(files), (std::vector<std::string>{"bbb", "folder1/aaa", "folder2/ccc"}));
  EXPECT_FALSE(files[0].embedded());
  EXPECT_TRUE(files[0].hexdigest.canonical()) << files[0].hexdigest;
  EXPECT_EQ(files[1].content_b64, base64_encode("12345"));
  EXPECT_EQ(files[1].hexdigest, "");
  EXPECT_EQ(files[2].content_b64, base64_encode("12345"));
  EXPECT_EQ(*snap_->files(), files);
}

TEST_F(SnapshotterTest, DefaultLimitEmbedsUpTo200Bytes) {
  write("f199", std::string(199, 'a'));
  write("f200", std::string(200, 'b'));
  write("f201", std::string(201, 'c'));
  write("empty", "");
  open();
  auto files = snapshot(all_);
  ASSERT_EQ(paths(files), (std::vector<std::string>{"empty", "f199", "f200", "f201"}));
  EXPECT_EQ(files[0].content_b64, "");
  EXPECT_EQ(files[0].file_size, 0);
  EXPECT_EQ(files[1].content_b64, base64_encode(std::string(199, 'a')));
  EXPECT_EQ(files[2].content_b64, base64_encode(std::string(200, 'b')));
  EXPECT_FALSE(files[3].embedded());
  EXPECT_EQ(files[3].hexdigest, *internal::blake2s_hex(std::string(201, 'c')));
}

// A limit below zero embeds no file, not even an empty one; zero embeds only empty files; no
// limit embeds all (the walk keeps each file's limit in a compact form).
TEST_F(SnapshotterTest, NegativeZeroAndMissingLimitsEmbedAsTheyRead) {
  write("neg/empty", "");
  write("min/empty", "");
  write("zero/empty", "");
  write("zero/one", "1");
  write("none/big", std::string(5000, 'x'));
  open();
  auto files = snapshot({{"neg/*", {}, -1},
                         {"min/*", {}, std::numeric_limits<int64_t>::min()},
                         {"zero/*", {}, 0},
                         {"none/*", {}, std::nullopt}});
  ASSERT_EQ(paths(files), (std::vector<std::string>{"min/empty", "neg/empty", "none/big", "zero/empty", "zero/one"}));
  EXPECT_FALSE(files[0].embedded());
  EXPECT_EQ(files[0].hexdigest, *internal::blake2s_hex(""));
  EXPECT_FALSE(files[1].embedded());
  EXPECT_EQ(files[2].content_b64, base64_encode(std::string(5000, 'x')));
  EXPECT_EQ(files[3].content_b64, "");
  EXPECT_FALSE(files[4].embedded());
}

TEST_F(SnapshotterTest, ChangesUpdateHashAndLinkCopy) {  // §12 case 58
  write("f", repeat("foobig", 200));
  open();
  snapshot(all_);
  EXPECT_EQ(inode(links_ / "f"), inode(root_ / "f"));
  write("f", repeat("foobig2", 200));  // new size
  auto files = snapshot(all_);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].hexdigest, kFoobig2Digest);
  EXPECT_EQ(files[0].file_size, 1400);
  EXPECT_EQ(inode(links_ / "f"), inode(root_ / "f"));
  // Same size, new mtime (rewritten in place: same inode).
  write("f", repeat("foobig", 233) + "xx");
  set_mtime_ns("f", 1'600'000'000'123'456'789);
  files = snapshot(all_);
  EXPECT_EQ(files[0].hexdigest, *internal::blake2s_hex(repeat("foobig", 233) + "xx"));
  EXPECT_EQ(files[0].mtime_ns, 1'600'000'000'123'456'789);
  EXPECT_EQ(snap_->last_stats().files_hashed, 1);
}

TEST_F(SnapshotterTest, ReplacedFileWithSameSizeAndMtimeIsRehashed) {
  write("f", repeat("foobig", 200));
  set_mtime_ns("f", 1'500'000'000'000'000'000);
  open();
  snapshot(all_);
  write("g", repeat("barbig", 200));
  set_mtime_ns("g", 1'500'000'000'000'000'000);
  fs::rename(root_ / "g", root_ / "f");  // new inode, same size and mtime
  auto files = snapshot(all_);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].hexdigest, *internal::blake2s_hex(repeat("barbig", 200)));
  EXPECT_EQ(inode(links_ / "f"), inode(root_ / "f"));
}

TEST_F(SnapshotterTest, DeletedFilesLeaveSnapshotAndLinkDir) {  // §12 case 58
  write("keep", "k");
  write("sub/gone", repeat("foobig", 200));
  open();
  snapshot(all_);
  ASSERT_TRUE(fs::exists(links_ / "sub/gone"));
  fs::remove(root_ / "sub/gone");
  auto files = snapshot(all_);
  EXPECT_EQ(paths(files), std::vector<std::string>{"keep"});
  EXPECT_FALSE(fs::exists(links_ / "sub/gone"));
  EXPECT_EQ(snap_->last_stats().files_removed, 1);
  EXPECT_FALSE(*snap_->find("sub/gone"));
}

TEST_F(SnapshotterTest, TruncationSwitchesToEmbedded) {  // §12 case 59
  write("f", repeat("foobig", 200));
  open();
  EXPECT_FALSE(snapshot(all_)[0].embedded());
  ::truncate((root_ / "f").c_str(), 199);
  auto files = snapshot(all_);
  EXPECT_TRUE(files[0].embedded());
  EXPECT_EQ(files[0].content_b64, base64_encode(repeat("foobig", 200).substr(0, 199)));
  write("f", repeat("foobig", 200));
  ::truncate((root_ / "f").c_str(), 201);
  files = snapshot(all_);
  EXPECT_FALSE(files[0].embedded());
  EXPECT_EQ(files[0].hexdigest, *internal::blake2s_hex(repeat("foobig", 200).substr(0, 201)));
}

TEST_F(SnapshotterTest, ExcludedNamesAreNeverIncluded) {  // §12 case 60
  write("x", "1");
  write("sub/x", "2");
  write("sub/y", "3");
  open();
  EXPECT_EQ(paths(snapshot({{"**", {"x"}}})), std::vector<std::string>{"sub/y"});
}

TEST_F(SnapshotterTest, ConflictingLimitsFailNamingTheFile) {  // §12 case 61
  write("a/f", "1");
  open();
  auto files = snap_->snapshot({{"**", {}, 100}, {"a/*", {}, 10}});
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(files.error().message.find("a/f"), std::string::npos);
}

TEST_F(SnapshotterTest, SkipsDotFilesSymlinksAndAstacusDirs) {
  write("visible", "v");
  write(".hidden", "h");
  write("a/.b/c", "c");
  write(".astacus/x", "x");
  write("sub/.astacus/y", "y");
  fs::create_symlink(root_ / "visible", root_ / "link");
  fs::create_directories(root_ / "realdir");
  write("realdir/z", "z");
  fs::create_directory_symlink(root_ / "realdir", root_ / "dirlink");
  open();
  EXPECT_EQ(paths(snapshot(all_)), (std::vector<std::string>{"realdir/z", "visible"}));
  // Literal globs reach dot files, but never anything under a .astacus directory.
  EXPECT_EQ(paths(snapshot({{".hidden"}, {"a/.b/c"}, {".astacus/x"}, {"sub/.astacus/y"}})),
            (std::vector<std::string>{".hidden", "a/.b/c"}));
}

TEST_F(SnapshotterTest, LinkRootInsideRootIsNotWalked) {
  write("f", "1");
  open(1, root_ / "snap-links");
  EXPECT_EQ(paths(snapshot(all_)), std::vector<std::string>{"f"});
  EXPECT_EQ(paths(snapshot(all_)), std::vector<std::string>{"f"});
  EXPECT_TRUE(fs::exists(root_ / "snap-links" / "f"));
}

TEST_F(SnapshotterTest, LinkRootContainingRootIsRefused) {
  auto s = Snapshotter::open(root_, dir_, db_, 1);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(SnapshotterTest, ReleaseUnlinksCopiesAndNextSnapshotRelinks) {  // §12 case 62
  write("a", repeat("foobig", 200));
  write("b", repeat("foobig", 200));
  write("c", repeat("foobig2", 200));
  open();
  snapshot(all_);
  EXPECT_EQ(*snap_->paths_with_hexdigest(kFoobigDigest), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(snap_->release({kFoobigDigest, ""}));
  EXPECT_FALSE(fs::exists(links_ / "a"));
  EXPECT_FALSE(fs::exists(links_ / "b"));
  EXPECT_TRUE(fs::exists(links_ / "c"));
  EXPECT_TRUE(fs::exists(root_ / "a"));
  EXPECT_EQ(paths(*snap_->files()), (std::vector<std::string>{"a", "b", "c"}));
  auto files = snapshot(all_);
  EXPECT_EQ(paths(files), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(inode(links_ / "a"), inode(root_ / "a"));
  EXPECT_EQ(snap_->last_stats().files_linked, 2);
  EXPECT_EQ(snap_->last_stats().files_hashed, 0);  // unchanged: re-linked, not re-hashed
}

TEST_F(SnapshotterTest, ReopenedDbRehashesNothing) {
  write("a", repeat("foobig", 200));
  write("s/b", "small");
  open();
  auto first = snapshot(all_);
  EXPECT_EQ(snap_->last_stats().files_hashed, 2);
  open();
  EXPECT_EQ(*snap_->files(), first);
  auto second = snapshot(all_);
  EXPECT_EQ(second, first);
  EXPECT_EQ(snap_->last_stats().files_hashed, 0);
  EXPECT_EQ(snap_->last_stats().files_linked, 0);
}

TEST_F(SnapshotterTest, ReleasedThenRestartedRelinksWithoutRehash) {
  write("a", repeat("foobig", 200));
  open();
  snapshot(all_);
  ASSERT_TRUE(snap_->release({kFoobigDigest}));
  open();
  auto files = snapshot(all_);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].hexdigest, kFoobigDigest);
  EXPECT_TRUE(fs::exists(links_ / "a"));
  EXPECT_EQ(snap_->last_stats().files_hashed, 0);
}

TEST_F(SnapshotterTest, StaleLinkFilesAreRemoved) {
  write("a", "1");
  write("stale/old", "x", links_);
  write(".astacus-link-0123.tmp", "x", links_);
  db_ = links_ / "snapshot.db";  // the DB may live in the link directory
  open();
  snapshot(all_);
  EXPECT_FALSE(fs::exists(links_ / "stale/old"));
  EXPECT_FALSE(fs::exists(links_ / ".astacus-link-0123.tmp"));
  EXPECT_TRUE(fs::exists(links_ / "a"));
  EXPECT_TRUE(fs::exists(db_));
  EXPECT_EQ(snap_->last_stats().stale_links_removed, 2);
  // A second snapshot finds the link copy of "a" in place: it is the file's, not stale.
  write("stale2", "y", links_);
  snapshot(all_);
  EXPECT_TRUE(fs::exists(links_ / "a"));
  EXPECT_FALSE(fs::exists(links_ / "stale2"));
  EXPECT_EQ(snap_->last_stats().stale_links_removed, 1);
  EXPECT_EQ(snap_->last_stats().files_linked, 0);
  // Files that stop matching the groups lose their link copies too.
  auto files = snapshot({{"nothing"}});
  EXPECT_TRUE(files.empty());
  EXPECT_FALSE(fs::exists(links_ / "a"));
}

TEST_F(SnapshotterTest, SharedLinkDirIsNeverCleaned) {
  write("a", "1");
  write("other", "x", links_);
  open();
  auto other = Snapshotter::open(root_, links_, dir_ / "other.db", 1);
  ASSERT_TRUE(other);
  snapshot(all_);
  EXPECT_TRUE(fs::exists(links_ / "other"));
  EXPECT_EQ(snap_->last_stats().stale_links_removed, 0);
}

TEST_F(SnapshotterTest, EmbeddingLimitChangeRereadsFiles) {
  write("f", std::string(150, 'a'));
  open();
  EXPECT_TRUE(snapshot(all_)[0].embedded());
  auto files = snapshot({{"**", {}, 100}});
  EXPECT_FALSE(files[0].embedded());
  EXPECT_EQ(files[0].hexdigest, *internal::blake2s_hex(std::string(150, 'a')));
}

TEST_F(SnapshotterTest, SameRootModeMakesNoLinks) {
  write("a", repeat("foobig", 200));
  write("b", "tiny");
  open(1, root_);
  EXPECT_TRUE(snap_->same_root());
  auto files = snapshot(all_);
  ASSERT_EQ(paths(files), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(files[0].hexdigest, kFoobigDigest);
  EXPECT_EQ(snap_->last_stats().files_linked, 0);
  EXPECT_EQ(*snap_->link_path("a"), root_ / "a");
  EXPECT_EQ(std::distance(fs::directory_iterator(root_), fs::directory_iterator()), 2);
  snapshot(all_);
  EXPECT_EQ(snap_->last_stats().files_hashed, 0);
  // Release deletes the sources here (Python behaviour); the next snapshot forgets them.
  ASSERT_TRUE(snap_->release({kFoobigDigest}));
  EXPECT_FALSE(fs::exists(root_ / "a"));
  EXPECT_EQ(paths(snapshot(all_)), std::vector<std::string>{"b"});
}

TEST_F(SnapshotterTest, TwoHashThreadsGiveTheSameResult) {
  for (int i = 0; i < 40; ++i) write("d" + std::to_string(i % 4) + "/f" + std::to_string(i), repeat("x", i * 97));
  open(1);
  auto one = snapshot(all_);
  fs::remove_all(dir_ / "state");
  fs::remove_all(links_);
  open(2);
  auto two = snapshot(all_);
  EXPECT_EQ(snap_->last_stats().files_hashed, 40);
  EXPECT_EQ(one, two);
}

TEST_F(SnapshotterTest, ReportsProgressAndHonoursCancel) {
  write("a", std::string(3 << 20, 'a'));
  write("b", std::string(1000, 'b'));
  open(2);
  int64_t last_handled = 0, last_total = 0;
  auto files = snap_->snapshot(all_, {}, [&](int64_t handled, int64_t total) {
    EXPECT_GE(handled, last_handled);
    last_handled = handled;
    last_total = total;
  });
  ASSERT_TRUE(files);
  EXPECT_EQ(last_total, (3 << 20) + 1000);
  EXPECT_EQ(last_handled, last_total);

  write("c", "new");
  auto cancelled = snap_->snapshot(all_, [] { return true; });
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(paths(snapshot(all_)), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(SnapshotterTest, CancelDuringHashingCommitsNothing) {
  write("a", repeat("foobig", 200));
  open(1);
  std::atomic<int> calls{0};
  auto files = snap_->snapshot(all_, [&] { return ++calls > 2; });  // walk, visit, then hashing
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().code, ErrorCode::kCancelled);
  EXPECT_TRUE(snap_->files()->empty());
  auto again = snapshot(all_);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].hexdigest, kFoobigDigest);
}

TEST_F(SnapshotterTest, RemovedLinkDirIsRebuiltWithoutRehash) {
  write("a", repeat("foobig", 200));
  write("stale-later", "x");
  open();
  snapshot(all_);
  fs::remove_all(links_);
  write("junk", "x", links_);
  auto files = snapshot(all_);
  EXPECT_EQ(paths(files), (std::vector<std::string>{"a", "stale-later"}));
  EXPECT_EQ(snap_->last_stats().files_linked, 2);
  EXPECT_EQ(snap_->last_stats().files_hashed, 0);
  EXPECT_EQ(snap_->last_stats().stale_links_removed, 1);  // ownership re-claimed
  EXPECT_EQ(inode(links_ / "a"), inode(root_ / "a"));
}

TEST_F(SnapshotterTest, DbInsideRootIsNotSnapshotted) {
  write("a", "1");
  db_ = root_ / "state.db";
  open();
  EXPECT_EQ(paths(snapshot(all_)), std::vector<std::string>{"a"});
  EXPECT_EQ(paths(snapshot(all_)), std::vector<std::string>{"a"});
}

TEST_F(SnapshotterTest, FindAndLinkPath) {
  write("dir/f", "hello\n");
  open();
  snapshot(all_);
  auto f = snap_->find("dir/f");
  ASSERT_TRUE(f && *f);
  EXPECT_EQ((*f)->content_b64, "aGVsbG8K");
  EXPECT_EQ(*snap_->link_path("dir/f"), links_ / "dir/f");
  EXPECT_FALSE(snap_->link_path("../escape"));
  EXPECT_TRUE(snap_->paths_with_hexdigest("")->empty());
}

TEST_F(SnapshotterTest, FileReplacedByDirectoryAndBack) {
  write("x", repeat("foobig", 200));
  open();
  snapshot(all_);
  fs::remove(root_ / "x");
  write("x/inner", repeat("foobig2", 200));
  EXPECT_EQ(paths(snapshot(all_)), std::vector<std::string>{"x/inner"});
  EXPECT_EQ(inode(links_ / "x/inner"), inode(root_ / "x/inner"));
  fs::remove_all(root_ / "x");
  write("x", repeat("foobig", 200));
  EXPECT_EQ(paths(snapshot(all_)), std::vector<std::string>{"x"});
  EXPECT_EQ(inode(links_ / "x"), inode(root_ / "x"));
}

TEST_F(SnapshotterTest, CorruptDbIsRecreated) {
  write("a", "1");
  fs::create_directories(db_.parent_path());
  std::ofstream(db_) << "this is not an sqlite database, not at all, really not";
  open();
  EXPECT_EQ(paths(snapshot(all_)), std::vector<std::string>{"a"});
}

}  // namespace
}  // namespace astacus::snapshot

namespace astacus::snapshot {
namespace {

class SnapshotterScanTest : public SnapshotterTest {};

TEST_F(SnapshotterScanTest, ScanSeesTheRootLikeSnapshotButChangesNeitherLinksNorDb) {
  write("same", repeat("foobig", 200));
  write("changed", repeat("foobig", 200));
  write("gone", repeat("foobig", 200));
  open();
  snapshot(all_);
  auto before = *snap_->files();
  write("changed", repeat("foobig2", 200));
  fs::remove(root_ / "gone");
  write("new", repeat("foobig2", 200));

  auto scanned = snap_->scan(all_);
  ASSERT_TRUE(scanned) << scanned.error().to_string();
  EXPECT_EQ(paths(*scanned), (std::vector<std::string>{"changed", "new", "same"}));
  EXPECT_EQ((*scanned)[0].hexdigest, kFoobig2Digest) << "a changed file is read again";
  EXPECT_EQ((*scanned)[1].hexdigest, kFoobig2Digest);
  EXPECT_EQ((*scanned)[2].hexdigest, before[2].hexdigest);

  EXPECT_EQ(*snap_->files(), before) << "the DB is untouched";
  EXPECT_TRUE(fs::exists(links_ / "gone")) << "no link copy is removed";
  EXPECT_FALSE(fs::exists(links_ / "new")) << "no link copy is made";
  EXPECT_EQ(paths(snapshot(all_)), paths(*scanned)) << "the next snapshot agrees";
}

}  // namespace
}  // namespace astacus::snapshot
