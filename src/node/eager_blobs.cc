#include "node/eager_blobs.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <spdlog/spdlog.h>

#include "base/encoding.h"

namespace astacus::node {

namespace {

// The first `N` bytes of a 64-hex-digit digest; nullopt for any other name.
template <size_t N>
std::optional<std::array<uint8_t, N>> digest_head(std::string_view hexdigest) {
  if (hexdigest.size() != 64) return std::nullopt;
  auto bytes = from_hex(hexdigest.substr(0, 2 * N));
  if (!bytes || bytes->size() != N) return std::nullopt;
  std::array<uint8_t, N> out{};
  std::memcpy(out.data(), bytes->data(), N);
  return out;
}

std::optional<uint64_t> head64(std::string_view hexdigest) {
  auto head = digest_head<8>(hexdigest);
  if (!head) return std::nullopt;
  uint64_t out = 0;
  for (uint8_t b : *head) out = (out << 8) | b;
  return out;
}

bool entry_less(const StoredBySnapshot::Entry& a, const StoredBySnapshot::Entry& b) {
  return a.digest_head < b.digest_head;
}

std::optional<std::vector<uint64_t>> list_heads(storage::ObjectStore& store) {
  std::vector<uint64_t> heads;
  heads.reserve(store.blobs_last_listed());
  Status listed = store.list_hexdigests_each([&heads](std::string_view name) {
    if (auto head = head64(name)) heads.push_back(*head);
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
  auto head = digest_head<16>(hexdigest);
  if (!head) return std::nullopt;
  Entry key{*head, 0};
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key, entry_less);
  if (it == entries_.end() || it->digest_head != *head) return std::nullopt;
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
  if (listing_.valid()) listing_.wait();
}

const std::vector<uint64_t>* EagerBlobs::stored_heads() {
  if (!listing_taken_.load(std::memory_order_acquire)) {
    std::lock_guard lock(listing_mu_);
    if (!listing_taken_.load(std::memory_order_relaxed)) {
      if (listing_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return nullptr;
      stored_heads_ = listing_.get();
      listing_taken_.store(true, std::memory_order_release);
    }
  }
  return stored_heads_ ? &*stored_heads_ : nullptr;
}

void EagerBlobs::take(const std::string& hexdigest, std::string_view bytes) {
  const std::vector<uint64_t>* heads = stored_heads();
  auto head = head64(hexdigest);
  auto entry_head = digest_head<16>(hexdigest);
  if (!heads || !head || !entry_head) return;  // no listing (yet): the upload decides
  if (std::binary_search(heads->begin(), heads->end(), *head)) return;  // stored, or left to the upload
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
  stored_.push_back({*entry_head, static_cast<uint32_t>(*stored)});
}

StoredBySnapshot EagerBlobs::finish() {
  if (listing_.valid()) listing_.wait();
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
