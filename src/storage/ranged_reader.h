#pragma once
// An ObjectReader for backends that read an object by ranged GETs (S3, Azure, GCS): ranges of
// at most `chunk_size` bytes are fetched as read() needs them and handed out in pieces, so a
// reader holds one range however big the object. Backends implement fetch_range().

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/backend.h"

namespace astacus::storage {

class RangedReader : public ObjectReader {
 public:
  RangedReader(uint64_t size, uint64_t chunk_size) : size_(size), chunk_size_(std::max<uint64_t>(1, chunk_size)) {}

  Result<std::string_view> read(size_t max) final {
    if (pos_ == chunk_.size()) {
      if (fetched_ == size_) return std::string_view();
      uint64_t length = std::min(chunk_size_, size_ - fetched_);
      chunk_ = ASTACUS_TRY(fetch_range(fetched_, length));
      pos_ = 0;
      fetched_ += length;
    }
    std::string_view piece = std::string_view(chunk_).substr(pos_, max);
    pos_ += piece.size();
    return piece;
  }

 protected:
  /// Exactly the bytes [offset, offset + length) of the object (the caller checks the length).
  virtual Result<std::string> fetch_range(uint64_t offset, uint64_t length) = 0;
  uint64_t size() const { return size_; }
  /// Bytes fetched before the current call (for messages).
  uint64_t fetched() const { return fetched_; }

 private:
  uint64_t size_;
  uint64_t chunk_size_;
  std::string chunk_;     // the last range fetched
  size_t pos_ = 0;        // in chunk_
  uint64_t fetched_ = 0;  // of the end of chunk_ in the object
};

}  // namespace astacus::storage
