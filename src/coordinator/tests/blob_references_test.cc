#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "coordinator/blob_references.h"

namespace astacus::coordinator {
namespace {

std::string digest(char c) { return std::string(64, c); }

manifest::BackupManifest manifest_with(const std::vector<std::vector<std::string>>& nodes) {
  manifest::BackupManifest m;
  for (const auto& digests : nodes) {
    manifest::SnapshotResult r;
    r.hashes.emplace();
    for (const auto& d : digests) r.hashes->push_back({.hexdigest = d, .size = 1});
    m.snapshot_results.push_back(std::move(r));
  }
  return m;
}

TEST(BlobReferences, KeepsOnlyBlobsOfKeptBackups) {
  BlobReferences refs;
  refs.add("backup-1", manifest_with({{digest('a'), digest('b')}, {digest('c')}}));
  refs.add("backup-2", manifest_with({{digest('b')}, {digest('d')}}));
  refs.add("backup-3", manifest_with({{digest('e')}}));
  EXPECT_EQ(refs.distinct_blobs(), 5u);  // b is shared, stored once
  refs.keep({"backup-2", "backup-3"});
  EXPECT_FALSE(refs.is_kept(digest('a')));
  EXPECT_TRUE(refs.is_kept(digest('b')));
  EXPECT_FALSE(refs.is_kept(digest('c')));
  EXPECT_TRUE(refs.is_kept(digest('d')));
  EXPECT_TRUE(refs.is_kept(digest('e')));
  EXPECT_FALSE(refs.is_kept(digest('f')));  // never referenced: a stray blob
}

TEST(BlobReferences, NullHashesAndUnknownBackupsReferenceNothing) {
  BlobReferences refs;
  auto m = manifest_with({{digest('a')}});
  m.snapshot_results.emplace_back();  // a node result without hashes (hashes = null)
  refs.add("backup-1", m);
  refs.keep({"backup-unknown"});
  EXPECT_FALSE(refs.is_kept(digest('a')));
}

TEST(BlobReferences, NonCanonicalNamesAreMatchedByText) {
  BlobReferences refs;
  refs.add("backup-1", manifest_with({{"made-up-name"}}));
  refs.keep({"backup-1"});
  EXPECT_TRUE(refs.is_kept(manifest::Hexdigest("made-up-name")));
  EXPECT_FALSE(refs.is_kept(manifest::Hexdigest("made-up-nam")));
}

TEST(BlobReferences, NothingIsKeptBeforeKeep) {
  BlobReferences refs;
  refs.add("backup-1", manifest_with({{digest('a')}}));
  EXPECT_FALSE(refs.is_kept(digest('a')));
}

}  // namespace
}  // namespace astacus::coordinator
