// A snapshot's walks settle files against the DB rows once these are loaded, which may happen
// before, during or after the walks. The same random history of a tree, snapshotted with the rows
// ready before the walks, after them, or whenever they load, must give the same files, the same
// link copies and the same work done, and match the tree.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <random>
#include <set>

#include <fmt/format.h>

#include "base/encoding.h"
#include "snapshot/file_digest.h"
#include "snapshot/tests/snapshotter_fixture.h"

namespace astacus::snapshot {
namespace {

using Timing = Snapshotter::RowsTiming;

struct Step {
  std::vector<std::string> files;  // "path size embedded digest-or-content" per file
  SnapshotStats stats;
};

std::string describe(const manifest::SnapshotFile& f) {
  return fmt::format("{} {} {} {}", f.relative_path, f.file_size, f.embedded(),
                     f.embedded() ? *f.content_b64 : f.hexdigest.str());
}

class RowsTimingTest : public SnapshotterTest {
 protected:
  // Replays the history of seed `seed` on a fresh tree with `timing`; checks each snapshot
  // against the tree and returns what each one gave.
  std::vector<Step> replay(Timing timing, unsigned seed) {
    fs::path base = dir_ / fmt::format("t{}", static_cast<int>(timing));
    root_ = base / "root";
    links_ = base / "links";
    db_ = base / "db" / "snapshot.db";
    fs::create_directories(root_);
    open();
    snap_->set_rows_timing_for_tests(timing);
    std::mt19937 rng(seed);
    std::map<std::string, std::string> tree;  // what the root holds
    std::vector<Step> steps;
    const std::vector<SnapshotGroup> groups{{"**", {}, 100}};  // up to 100 bytes embedded
    int64_t mtime = 1'600'000'000'000'000'000;
    int replaced = 0;
    fs::create_directories(base / "replaced");
    for (int step = 0; step < 12; ++step) {
      int changes = step == 0 ? 300 : static_cast<int>(rng() % 40);
      for (int i = 0; i < changes; ++i) {
        std::string rel = fmt::format("d{}/f{}", rng() % 6, rng() % 120);
        switch (tree.empty() ? 0 : rng() % 6) {
          case 0:
          case 1: {  // new or rewritten, with a new mtime
            std::string data(rng() % 400, static_cast<char>('a' + rng() % 26));
            write(rel, data);
            set_mtime_ns(rel, mtime += 1'000'000'000);
            tree[rel] = data;
            break;
          }
          case 2: {  // deleted
            auto it = tree.lower_bound(rel);
            if (it == tree.end()) break;
            fs::remove(root_ / it->first);
            tree.erase(it);
            break;
          }
          case 3: {  // replaced by another inode with the same size and mtime
            auto it = tree.lower_bound(rel);
            if (it == tree.end()) break;
            write(it->first + ".new", std::string(it->second.size(), 'z'));
            struct stat st;
            EXPECT_EQ(::stat((root_ / it->first).c_str(), &st), 0);
            set_mtime_ns(it->first + ".new", st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec);
            // The replaced inode stays alive (linked outside the tree): were its number reused by
            // a second replacement with the same size and mtime, no stat could tell the files apart.
            fs::create_hard_link(root_ / it->first, base / "replaced" / std::to_string(++replaced));
            fs::rename(root_ / (it->first + ".new"), root_ / it->first);
            it->second = std::string(it->second.size(), 'z');
            break;
          }
          case 4: {  // link copy removed, as an upload's release does
            auto it = tree.lower_bound(rel);
            if (it != tree.end()) fs::remove(links_ / it->first);
            break;
          }
          default:  // a stale file in the link directory
            write(rel + ".stale", "x", links_);
            break;
        }
      }
      auto files = snapshot(groups);
      Step out{{}, snap_->last_stats()};
      for (const auto& f : files) out.files.push_back(describe(f));
      // The snapshot is the tree, and every file has its link copy and nothing else is there.
      std::vector<std::string> expected;
      for (const auto& [rel, data] : tree) {
        manifest::SnapshotFile f;
        f.relative_path = rel;
        f.file_size = static_cast<int64_t>(data.size());
        if (data.size() <= 100) {
          f.content_b64 = base64_encode(data);
        } else {
          f.hexdigest = *internal::blake2s_hex(data);
        }
        expected.push_back(describe(f));
        EXPECT_EQ(inode(links_ / rel), inode(root_ / rel)) << rel << " at step " << step;
      }
      if (out.files != expected) {  // name only what differs: the lists are long
        std::vector<std::string> extra, missing;
        std::set_difference(out.files.begin(), out.files.end(), expected.begin(), expected.end(),
                            std::back_inserter(extra));
        std::set_difference(expected.begin(), expected.end(), out.files.begin(), out.files.end(),
                            std::back_inserter(missing));
        ADD_FAILURE() << "timing " << static_cast<int>(timing) << " step " << step << ": snapshot has "
                      << ::testing::PrintToString(extra) << " where the tree has " << ::testing::PrintToString(missing);
      }
      std::set<std::string> in_links;
      for (const auto& e : fs::recursive_directory_iterator(links_)) {
        if (e.is_regular_file()) in_links.insert(e.path().lexically_relative(links_).generic_string());
      }
      in_links.erase(".astacus-snapshotter-owners");
      std::set<std::string> in_tree;
      for (const auto& [rel, data] : tree) in_tree.insert(rel);
      EXPECT_EQ(in_links, in_tree) << "step " << step;
      steps.push_back(std::move(out));
    }
    return steps;
  }
};

TEST_F(RowsTimingTest, RowsReadyBeforeDuringOrAfterTheWalksGiveTheSameSnapshots) {
  for (unsigned seed : {1u, 2u, 3u}) {
    auto before = replay(Timing::kBeforeWalks, seed);
    auto after = replay(Timing::kAfterWalks, seed);
    auto loaded = replay(Timing::kWhenLoaded, seed);
    ASSERT_EQ(before.size(), after.size());
    for (size_t i = 0; i < before.size(); ++i) {
      for (const auto* other : {&after, &loaded}) {
        const Step& a = before[i];
        const Step& b = (*other)[i];
        EXPECT_EQ(a.files, b.files) << "seed " << seed << " step " << i;
        EXPECT_EQ(a.stats.files_linked, b.stats.files_linked) << "seed " << seed << " step " << i;
        EXPECT_EQ(a.stats.files_hashed, b.stats.files_hashed) << "seed " << seed << " step " << i;
        EXPECT_EQ(a.stats.files_removed, b.stats.files_removed) << "seed " << seed << " step " << i;
        EXPECT_EQ(a.stats.stale_links_removed, b.stats.stale_links_removed) << "seed " << seed << " step " << i;
      }
    }
    // The history did exercise the paths: re-links without re-reads, removals, stale copies.
    int64_t relinked = 0, removed = 0, stale = 0;
    for (const auto& s : before) {
      relinked += s.stats.files_linked;
      removed += s.stats.files_removed;
      stale += s.stats.stale_links_removed;
    }
    EXPECT_GT(relinked, before[0].stats.files_linked) << "seed " << seed;
    EXPECT_GT(removed, 0) << "seed " << seed;
    EXPECT_GT(stale, 0) << "seed " << seed;
    fs::remove_all(dir_ / "t0");
    fs::remove_all(dir_ / "t1");
    fs::remove_all(dir_ / "t2");
  }
}

}  // namespace
}  // namespace astacus::snapshot
