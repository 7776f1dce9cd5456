// The snapshot DB has no index on hexdigest (its inserts cost more than its one reader saved):
// release() finds all its digests in one scan, and a DB made with the old index sheds it on open.
#include <sqlite3.h>

#include <string>
#include <vector>

#include "snapshotter_fixture.h"

namespace astacus::snapshot {
namespace {

manifest::Hexdigest digest_of(const std::vector<manifest::SnapshotFile>& files, const std::string& rel) {
  for (const auto& f : files) {
    if (f.relative_path == rel) return f.hexdigest;
  }
  ADD_FAILURE() << "no file " << rel;
  return {};
}

// Runs `sql` on the DB file directly; returns the first column of the first row ("" if none).
std::string query(const fs::path& db_file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(db_file.c_str(), &db), SQLITE_OK);
  std::string out;
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

const char* kIndexCount = "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'files_hexdigest'";

TEST_F(SnapshotterTest, ReleaseOfSeveralDigestsUnlinksEachHolderInOneCall) {
  write("a", repeat("alpha", 100));
  write("b", repeat("bravo", 100));
  write("c", repeat("charlie", 100));
  write("d/copy-of-a", repeat("alpha", 100));
  write("tiny", "x");  // embedded: no digest, never released
  open();
  auto files = snapshot(all_);
  std::string unknown(64, 'e');
  ASSERT_TRUE(snap_->release({digest_of(files, "c"), unknown, digest_of(files, "a"), ""}));
  EXPECT_FALSE(fs::exists(links_ / "a"));
  EXPECT_FALSE(fs::exists(links_ / "d/copy-of-a"));
  EXPECT_FALSE(fs::exists(links_ / "c"));
  EXPECT_TRUE(fs::exists(links_ / "b"));
  EXPECT_TRUE(fs::exists(links_ / "tiny"));
  EXPECT_EQ(*snap_->paths_with_hexdigest(digest_of(files, "a")), (std::vector<std::string>{"a", "d/copy-of-a"}));
  EXPECT_TRUE(snap_->paths_with_hexdigest(unknown)->empty());
  snapshot(all_);
  EXPECT_EQ(snap_->last_stats().files_linked, 3);  // re-linked, not re-hashed
  EXPECT_EQ(snap_->last_stats().files_hashed, 0);
}

TEST_F(SnapshotterTest, DbMadeWithTheHexdigestIndexShedsItAndKeepsItsRows) {
  write("a", repeat("alpha", 100));
  write("s/b", repeat("bravo", 100));
  open();
  auto first = snapshot(all_);
  EXPECT_EQ(query(db_, kIndexCount), "0");
  snap_.reset();
  query(db_, "CREATE INDEX files_hexdigest ON files(hexdigest)");  // as DBs made before 2026-12-07
  ASSERT_EQ(query(db_, kIndexCount), "1");
  open();
  EXPECT_EQ(query(db_, kIndexCount), "0");
  EXPECT_EQ(snapshot(all_), first);
  EXPECT_EQ(snap_->last_stats().files_hashed, 0);
}

}  // namespace
}  // namespace astacus::snapshot
