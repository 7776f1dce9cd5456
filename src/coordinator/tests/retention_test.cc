#include <gtest/gtest.h>

#include "coordinator/retention.h"

namespace astacus::coordinator {
namespace {

SystemTime at(const char* text) { return *parse_rfc3339(text); }

std::vector<std::string> kept(const std::vector<BackupTimes>& backups, Retention r, SystemTime now,
                              const std::vector<std::string>& explicit_delete = {}) {
  return prune_backups(backups, r, now, explicit_delete).kept;
}

TEST(Retention, ReferenceTable) {  // §9 / §12 case 46: two identical manifests ending 2020-02-02
  std::vector<BackupTimes> backups = {
      {"backup-1", at("2020-02-02T00:00:00Z"), at("2020-02-02T00:00:00Z")},
      {"backup-2", at("2020-02-02T00:00:00Z"), at("2020-02-02T00:00:00Z")},
  };
  SystemTime now = at("2026-01-01T00:00:00Z");
  struct Case {
    Retention retention;
    size_t manifests;
  };
  std::vector<Case> cases = {
      {{.maximum_backups = 1}, 1},
      {{.keep_days = -1}, 0},
      {{.minimum_backups = 1, .keep_days = -1}, 1},
      {{.minimum_backups = 3, .maximum_backups = 1, .keep_days = -1}, 2},
      {{.keep_days = 100}, 0},
      {{.keep_days = 10000}, 2},
      {{.minimum_backups = 1, .keep_days = 10000}, 2},
      {{.maximum_backups = 1, .keep_days = 10000}, 1},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    auto result = prune_backups(backups, cases[i].retention, now);
    EXPECT_EQ(result.kept.size(), cases[i].manifests) << "case " << i;
    EXPECT_EQ(result.kept.size() + result.deleted.size(), 2u) << "case " << i;
    // The blob referenced by both manifests survives iff a manifest survives.
    size_t blobs = result.kept.empty() ? 0 : 1;
    EXPECT_EQ(blobs, cases[i].manifests == 0 ? 0u : 1u);
  }
  // With equal (start, end) the name decides: backup-2 is the newest.
  EXPECT_EQ(kept(backups, {.maximum_backups = 1}, now), std::vector<std::string>{"backup-2"});
}

TEST(Retention, Case47) {
  std::vector<BackupTimes> backups;
  for (int day = 1; day <= 5; ++day) {
    std::string date = fmt::format("2020-01-0{}", day);
    backups.push_back({fmt::format("b{}", day), at((date + "T12:00:00Z").c_str()),
                       at((date + "T13:00:00Z").c_str())});
  }
  SystemTime now = at("2020-01-07T05:00:00Z");
  using V = std::vector<std::string>;
  EXPECT_EQ(kept(backups, {1, 6, 6}, now), (V{"b5", "b4", "b3", "b2", "b1"}));
  EXPECT_EQ(kept(backups, {1, 3, 6}, now), (V{"b5", "b4", "b3"}));
  EXPECT_EQ(kept(backups, {1, 3, 2}, now), (V{"b5", "b4"}));
  EXPECT_EQ(kept(backups, {1, 3, 1}, now), (V{"b5"}));
  EXPECT_EQ(kept(backups, {1, 3, 0}, now), (V{"b5"}));
  EXPECT_EQ(kept(backups, {0, 3, 0}, now), V{});
  auto result = prune_backups(backups, {1, 3, 2}, now);
  EXPECT_EQ(result.deleted, (V{"b1", "b2", "b3"}));
}

TEST(Retention, WholeDaysOnly) {
  SystemTime now = at("2020-01-09T00:00:00Z");
  std::vector<BackupTimes> b = {
      {"backup-a", at("2020-01-01T00:00:00Z"), at("2020-01-01T01:00:00Z")}};
  EXPECT_EQ(kept(b, {.keep_days = 7}, now).size(), 1u);  // 7 d 23 h old survives keep_days=7
  EXPECT_EQ(kept(b, {.keep_days = 6}, now).size(), 0u);
  std::vector<BackupTimes> fresh = {{"backup-f", now, now + std::chrono::hours(1)}};
  EXPECT_EQ(kept(fresh, {.keep_days = -1}, now).size(), 1u);  // future end: days = -1, not > -1
  EXPECT_EQ(kept(fresh, {.keep_days = -2}, now).size(), 0u);
  std::vector<BackupTimes> hour_old = {{"backup-h", now, now - std::chrono::hours(1)}};
  EXPECT_EQ(kept(hour_old, {.keep_days = 0}, now).size(), 1u);  // keep_days=0 drops >= 1 day
  EXPECT_EQ(kept(b, {.keep_days = 0}, now).size(), 0u);
  EXPECT_EQ(kept(b, {}, now).size(), 1u);  // no criteria: keep everything
}

TEST(Retention, ExplicitDeleteBeatsMinimum) {
  SystemTime t = at("2020-01-01T00:00:00Z");
  std::vector<BackupTimes> b = {{"backup-1", t, t}, {"backup-2", t, t}};
  auto result = prune_backups(b, {.minimum_backups = 5}, t, {"backup-1", "nonexistent-is-ok"});
  EXPECT_EQ(result.kept, std::vector<std::string>{"backup-2"});
  EXPECT_EQ(result.deleted, std::vector<std::string>{"backup-1"});
}

TEST(Retention, EffectiveRetentionIsFieldWise) {
  Retention config{.minimum_backups = 3, .keep_days = 7};
  EXPECT_EQ(effective_retention(config, std::nullopt), config);
  EXPECT_EQ(effective_retention(config, Retention{}), config);
  EXPECT_EQ(effective_retention(config, Retention{.maximum_backups = 42, .keep_days = 15}),
            (Retention{3, 42, 15}));
  EXPECT_EQ(effective_retention(config, Retention{.minimum_backups = 0}), (Retention{0, {}, 7}));
}

}  // namespace
}  // namespace astacus::coordinator
