// EarlyHasher reads small new files while the visit that finds them goes on; hash_jobs() then
// reads what it left (big files, jobs published after it stopped) and skips what it read.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "snapshot/file_digest.h"
#include "snapshot/hash_jobs.h"
#include "snapshotter_fixture.h"

namespace astacus::snapshot::internal {
namespace {

namespace fs = std::filesystem;

class EarlyHasherTest : public SnapshotterTest {
 protected:
  // A job for root_/rel as the visit makes it (size from the file).
  HashJob job_for(const std::string& rel) {
    HashJob job;
    job.row.file.relative_path = rel;
    std::error_code ec;
    job.row.file.file_size = static_cast<int64_t>(fs::file_size(root_ / rel, ec));
    return job;
  }
  std::string digest(std::string_view data) { return *blake2s_hex(data); }
  // The thread runs at its own pace: the tests wait for it (up to 10 s) rather than race it.
  static void wait_until_passed(const EarlyHasher& early, size_t n) {
    for (int i = 0; i < 10000 && early.passed() < n; ++i) ::usleep(1000);
    ASSERT_GE(early.passed(), n);
  }
};

TEST_F(EarlyHasherTest, ReadsPublishedSmallJobsAndLeavesBigOnesToHashJobs) {
  std::string big = repeat("0123456789abcdef", (EarlyHasher::kMaxEarlyBytes / 16) + 1);
  write("big", big);
  std::vector<HashJob> jobs;
  jobs.reserve(64);
  jobs.push_back(job_for("big"));  // before `first`: never the early hasher's
  size_t first = jobs.size();
  EarlyHasher early(jobs, first, root_, nullptr);
  for (int i = 0; i < 40; ++i) {
    std::string rel = "small/" + std::to_string(i);
    write(rel, "content " + std::to_string(i));
    jobs.push_back(job_for(rel));
    early.publish(jobs.size());
  }
  write("late-big", big);
  jobs.push_back(job_for("late-big"));
  early.publish(jobs.size());
  wait_until_passed(early, jobs.size() - first);
  ASSERT_TRUE(early.finish());
  EXPECT_FALSE(jobs[0].done);
  EXPECT_FALSE(jobs.back().done) << "over kMaxEarlyBytes: left for hash_jobs()";
  SnapshotStats stats;
  ASSERT_TRUE(hash_jobs(jobs, root_, 2, nullptr, {}, stats));
  EXPECT_EQ(stats.files_hashed, 42);
  EXPECT_EQ(stats.bytes_hashed, 2 * static_cast<int64_t>(big.size()) + [&] {
    int64_t n = 0;
    for (int i = 0; i < 40; ++i) n += static_cast<int64_t>(("content " + std::to_string(i)).size());
    return n;
  }());
  EXPECT_EQ(jobs[0].row.file.hexdigest, digest(big));
  EXPECT_EQ(jobs.back().row.file.hexdigest, digest(big));
  for (int i = 0; i < 40; ++i) {
    EXPECT_TRUE(jobs[first + i].done);
    EXPECT_EQ(jobs[first + i].row.file.hexdigest, digest("content " + std::to_string(i))) << i;
  }
}

TEST_F(EarlyHasherTest, AVanishedFileIsMarkedNotFailed) {
  write("gone", "soon gone");
  std::vector<HashJob> jobs;
  jobs.reserve(1);
  jobs.push_back(job_for("gone"));
  fs::remove(root_ / "gone");
  EarlyHasher early(jobs, 0, root_, nullptr);
  early.publish(jobs.size());
  wait_until_passed(early, 1);
  ASSERT_TRUE(early.finish());
  EXPECT_TRUE(jobs[0].vanished);
  EXPECT_TRUE(jobs[0].done);
}

TEST_F(EarlyHasherTest, AnUnreadableFileFailsNamingItAndStopsTheReads) {
  fs::create_directories(root_ / "dir");
  write("after", "after");
  std::vector<HashJob> jobs;
  jobs.reserve(2);
  jobs.push_back(job_for("dir"));
  jobs[0].row.file.file_size = 10;  // a directory where the visit saw a 10-byte file
  jobs.push_back(job_for("after"));
  EarlyHasher early(jobs, 0, root_, nullptr);
  early.publish(jobs.size());
  wait_until_passed(early, 1);
  auto finished = early.finish();
  ASSERT_FALSE(finished);
  EXPECT_NE(finished.error().message.find("dir"), std::string::npos) << finished.error().message;
  EXPECT_FALSE(jobs[1].done);
}

TEST_F(EarlyHasherTest, StoppedBeforeAnythingIsPublishedReadsNothing) {
  write("a", "alpha");
  std::vector<HashJob> jobs;
  jobs.reserve(2);
  jobs.push_back(job_for("a"));
  {
    EarlyHasher early(jobs, 1, root_, nullptr);  // job 0 predates it
    EXPECT_TRUE(early.finish());
  }
  EXPECT_FALSE(jobs[0].done);
  SnapshotStats stats;
  ASSERT_TRUE(hash_jobs(jobs, root_, 1, nullptr, {}, stats));
  EXPECT_EQ(jobs[0].row.file.hexdigest, digest("alpha"));
}

}  // namespace
}  // namespace astacus::snapshot::internal
