#include "node/eager_blobs.h"

#include <algorithm>
#include <chrono>
#include <spdlog/spdlog.h>

#include "storage/pack/pack_index.h"

namespace astacus::node {

namespace {

using storage::pack::Digest;

uint64_t head64(const Digest& digest) {
  uint64_t out = 0;
  for (size_t i = 0; i < 8; ++i) out = (out << 8) | digest[i];
  return out;
}

std::array<uint8_t, 16> head16(const Digest& digest) {
  std::array<uint8_t, 16> out{};
  std::copy_n(digest.begin(), out.size(), out.begin());
  return out;
}

bool entry_less(const StoredBySnapshot::Entry& a, const StoredBySnapshot::Entry& b) {
  return a.digest_head < b.digest_head;
}

std::optional<std::vector<uint64_t>> list_heads(storage::ObjectStore& store) {
  std::vector<uint64_t> heads;
  heads.reserve(store.blobs_last_listed());
  Status listed = store.list_hexdigests_each([&heads](std::string_view name) {
    if (auto digest = storage::pack::digest_of(name)) heads.push_back(head64(*digest));
  });
  if (!listed) {
    spdlog::warn("snapshot: cannot list storage '{}' ({}); small blobs are left to the upload", store.name(),
                 listed.error().message);
    return std::nullopt;
  }
  std::sort(heads.begin(), heads.end());
  heads.erase(std::unique(heads.begin(), heads.end()), heads.end());
  return heads;
}

}  // namespace

StoredBySnapshot::StoredBySnapshot(std::string storage, std::vector<Entry> entries)
    : storage_(std::move(storage)), entries_(std::move(entries)) {
  std::sort(entries_.begin(), entries_.end(), entry_less);
  entries_.erase(std::unique(entries_.begin(), entries_.end(),
                             [](const Entry& a, const Entry& b) { return a.digest_head == b.digest_head; }),
                 entries_.end());
}

std::optional<uint64_t> StoredBySnapshot::find(const std::string& storage, const std::string& hexdigest) const {
  if (entries_.empty() || storage != storage_) return std::nullopt;
  auto digest = storage::pack::digest_of(hexdigest);
  if (!digest) return std::nullopt;
  Entry key{head16(*digest), 0};
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key, entry_less);
  if (it == entries_.end() || it->digest_head != key.digest_head) return std::nullopt;
  return it->stored_bytes;
}

EagerBlobs::EagerBlobs(std::shared_ptr<storage::ObjectStore> store) : store_(std::move(store)) {
  store_->rotate_data_key();
  storage::ObjectStore* listed = store_.get();
  listing_ = std::async(std::launch::async, [listed] { return list_heads(*listed); });
  sink_.max_bytes = static_cast<int64_t>(store_->options().pack_entry_limit);
  sink_.take = [this](const std::string& hexdigest, std::string_view bytes) { take(hexdigest, bytes); };
}

EagerBlobs::~EagerBlobs() {
  if (listing_.valid()) listing_.wait();  // the listing thread uses the store
}

bool EagerBlobs::listing_done(bool wait) {
  if (listing_taken_.load(std::memory_order_acquire)) return true;
  std::lock_guard lock(listing_mu_);
  if (listing_taken_.load(std::memory_order_relaxed)) return true;
  if (!wait && listing_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return false;
  stored_heads_ = listing_.get();
  listing_taken_.store(true, std::memory_order_release);
  return true;
}

void EagerBlobs::take(const std::string& hexdigest, std::string_view bytes) {
  if (!listing_done(false)) return hold(hexdigest, bytes);
  store_pending();
  store_if_new(hexdigest, bytes);
}

void EagerBlobs::hold(const std::string& hexdigest, std::string_view bytes) {
  std::lock_guard lock(mu_);
  if (pending_bytes_ + bytes.size() > kMaxPendingBytes) return;  // left to the upload
  pending_bytes_ += bytes.size();
  pending_.push_back({hexdigest, std::string(bytes)});
}

void EagerBlobs::store_pending() {
  std::vector<Pending> pending;
  {
    std::lock_guard lock(mu_);
    if (pending_.empty()) return;
    pending.swap(pending_);
    pending_bytes_ = 0;
  }
  for (const auto& p : pending) store_if_new(p.hexdigest, p.bytes);
}

void EagerBlobs::store_if_new(const std::string& hexdigest, std::string_view bytes) {
  auto digest = storage::pack::digest_of(hexdigest);
  if (!stored_heads_ || !digest) return;  // the listing failed: the upload decides
  if (std::binary_search(stored_heads_->begin(), stored_heads_->end(), head64(*digest))) return;  // or left to the upload
  auto stored = store_->upload_blob_data(hexdigest, bytes);
  std::lock_guard lock(mu_);
  if (!stored) {
    // The upload stores it instead; one warning says why.
    if (failures_++ == 0) {
      spdlog::warn("snapshot: cannot store {} in '{}' while reading it ({}); the upload will", hexdigest,
                   store_->name(), stored.error().message);
    }
    return;
  }
  stored_.push_back({head16(*digest), static_cast<uint32_t>(*stored)});
}

StoredBySnapshot EagerBlobs::finish() {
  listing_done(true);
  store_pending();
  std::lock_guard lock(mu_);
  Status flushed = store_->flush();
  store_->drop_pack_catalog();
  if (!flushed) {
    spdlog::warn("snapshot: the {} blobs stored in '{}' while reading may not be durable ({}); the upload "
                 "stores them again",
                 stored_.size(), store_->name(), flushed.error().message);
    return {};
  }
  if (failures_ > 0) spdlog::warn("snapshot: {} small blobs are left to the upload", failures_);
  spdlog::info("snapshot: stored {} new small blobs in '{}' while reading them", stored_.size(), store_->name());
  return StoredBySnapshot(store_->name(), std::move(stored_));
}

}  // namespace astacus::node
