// The in-repo fixture copy is complete: every folder this suite is written for, with the files
// the other tests read. A missing folder fails here (and in every test that uses it).
#include <gtest/gtest.h>

#include "fixture.h"

namespace astacus::compat {
namespace {

TEST(CompatFixtures, EveryFixtureFolderIsPresentAndConsistent) {
  ASSERT_TRUE(fs::exists(fs::path(ASTACUS_COMPAT_DIR) / "README.md")) << ASTACUS_COMPAT_DIR;
  for (const auto& name : fixture_names()) {
    SCOPED_TRACE(name);
    auto check = [&] {
      auto info = load_fixture(name);
      EXPECT_EQ(info.nodes, name == "files-zstd-3node" ? 3 : 1);
      int json_objects = 0, blobs = 0;
      for (const auto& e : fs::directory_iterator(info.dir / "storage/json")) json_objects += e.path().extension() != ".metadata";
      for (const auto& e : fs::directory_iterator(info.dir / "storage/data")) blobs += e.path().extension() != ".metadata";
      EXPECT_EQ(json_objects, static_cast<int>(info.backups.size()));
      EXPECT_EQ(blobs, info.blobs_per_storage.at("local"));
      for (const auto& b : info.backups) {
        auto expected = info.expected(b);
        EXPECT_EQ(expected.size(), static_cast<size_t>(b.files)) << b.name;
        EXPECT_EQ(info.plaintext_manifest(b)["snapshot_results"].size(), static_cast<size_t>(b.nodes)) << b.name;
      }
    };
    try {
      check();
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
  // Object names keep their ':' and '+'.
  EXPECT_TRUE(fs::exists(fixture_dir("files-zstd-3node") / "storage/json/backup-2026-11-25T06:24:50+00:00"));
}

}  // namespace
}  // namespace astacus::compat
