// ObjectStore's packed blobs (storage/pack/): where a blob is read from, whether it exists,
// flushing the open pack, and sweeping packs no backup needs.

#include <fmt/format.h>

#include "storage/object_store.h"
#include "storage/object_store_keys.h"
#include "storage/pack/pack_listing.h"

namespace astacus::storage {

Status ObjectStore::flush() {
  // The open pack is committed first so that the backend's flush makes it visible too; the
  // backend is flushed even when it fails, so the other blobs are kept for the next attempt.
  Status packed = pack_writer_ ? pack_writer_->close() : ok();
  Status flushed = backend_->flush();
  return packed ? flushed : packed;
}

Result<StoredObject> ObjectStore::get_blob(const std::string& hexdigest, std::string& key) {
  ASTACUS_CHECK(pack_catalog_.load_once(*backend_));
  for (int attempt = 0;; ++attempt) {
    Error error;
    if (auto at = pack_catalog_.find(hexdigest)) {
      key = fmt::format("{} (blob {})", at->pack_key, hexdigest);
      auto bytes = backend_->get_range(at->pack_key, at->offset, at->length);
      if (bytes) return StoredObject{std::move(*bytes), std::move(at->metadata)};
      error = std::move(bytes).error();
    } else {
      key = blob_key(hexdigest);
      auto stored = backend_->get(key);
      if (stored) return stored;
      error = std::move(stored).error();
    }
    if (error.code != ErrorCode::kNotFound || attempt > 0) return make_error(std::move(error));
    ASTACUS_CHECK(pack_catalog_.refresh(*backend_));
  }
}

Status ObjectStore::download_blob_to(const std::string& hexdigest, codec::ByteSink& out) {
  ASTACUS_CHECK(check_name("blob", hexdigest));
  ASTACUS_CHECK(pack_catalog_.load_once(*backend_));
  if (!pack_catalog_.find(hexdigest)) {
    // A missing object fails before any byte reached `out`, so the packs can be tried after it.
    Status loose = download_to(blob_key(hexdigest), out);
    if (loose || loose.error().code != ErrorCode::kNotFound) return loose;
    ASTACUS_CHECK(pack_catalog_.refresh(*backend_));
    if (!pack_catalog_.find(hexdigest)) return loose;
  }
  // Packed blobs are small: decoded whole.
  std::string plaintext = ASTACUS_TRY(download_blob(hexdigest));
  return out.write(plaintext);
}

Result<bool> ObjectStore::blob_exists(const std::string& hexdigest) {
  ASTACUS_CHECK(check_name("blob", hexdigest));
  ASTACUS_CHECK(pack_catalog_.load_once(*backend_));
  if (pack_catalog_.find(hexdigest)) return true;
  if (ASTACUS_TRY(backend_->exists(blob_key(hexdigest)))) return true;
  ASTACUS_CHECK(pack_catalog_.refresh(*backend_));  // packed by another process since the catalog was read
  return pack_catalog_.find(hexdigest).has_value();
}

Result<pack::SweepCounts> ObjectStore::sweep_packs(const std::function<bool(std::string_view hexdigest)>& is_kept) {
  return pack::sweep_packs(*backend_, is_kept);
}

}  // namespace astacus::storage
