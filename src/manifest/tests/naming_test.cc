#include <gtest/gtest.h>

#include "manifest/naming.h"

namespace astacus::manifest {
namespace {

SystemTime at(const char* text) { return *parse_rfc3339(text); }

TEST(Naming, BackupNameUsesIsoSeconds) {
  EXPECT_EQ(backup_name_for(at("2026-11-24T07:30:26.727313Z")), "backup-2026-11-24T07:30:26+00:00");
}

TEST(Naming, UniqueNameBumpsBySeconds) {
  auto t = at("2026-11-24T07:30:26.5Z");
  EXPECT_EQ(unique_backup_name(t, {}), "backup-2026-11-24T07:30:26+00:00");
  EXPECT_EQ(unique_backup_name(t, {"backup-2026-11-24T07:30:26+00:00", "delta-x"}),
            "backup-2026-11-24T07:30:27+00:00");
  EXPECT_EQ(unique_backup_name(
                t, {"backup-2026-11-24T07:30:27+00:00", "backup-2026-11-24T07:30:26+00:00"}),
            "backup-2026-11-24T07:30:28+00:00");
  EXPECT_EQ(unique_backup_name(at("2026-12-31T23:59:59Z"), {"backup-2026-12-31T23:59:59+00:00"}),
            "backup-2027-01-01T00:00:00+00:00");
}

TEST(Naming, Prefixes) {
  EXPECT_TRUE(is_backup_name("backup-1"));
  EXPECT_FALSE(is_backup_name("delta-1"));
  EXPECT_FALSE(is_backup_name("zzz"));
  EXPECT_EQ(with_backup_prefix("1"), "backup-1");
  EXPECT_EQ(with_backup_prefix("backup-1"), "backup-1");
  EXPECT_EQ(list_display_name("backup-2026-11-25T06:24:50+00:00"), "2026-11-25T06:24:50+00:00");
  EXPECT_EQ(list_display_name("other"), "other");
  EXPECT_EQ(blob_key("abc"), "data/abc");
  EXPECT_EQ(manifest_key("backup-1"), "json/backup-1");
}

}  // namespace
}  // namespace astacus::manifest
