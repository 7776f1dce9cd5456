#include "storage/backend.h"

#include <algorithm>

#include <fmt/format.h>

namespace astacus::storage {

std::string metadata_value(const Metadata& md, std::string_view key) {
  for (const auto& [k, v] : md) {
    if (k == key) return v;
  }
  return "";
}

namespace {

// For backends without a streaming upload: the object is collected, then put() whole.
class BufferingWriter final : public ObjectWriter {
 public:
  BufferingWriter(Backend& backend, std::string key, Metadata metadata, bool batched)
      : backend_(backend), key_(std::move(key)), metadata_(std::move(metadata)), batched_(batched) {}

  Status write(std::string_view bytes) override {
    data_.append(bytes);
    return ok();
  }
  Status commit() override {
    return batched_ ? backend_.put_batched(key_, data_, metadata_) : backend_.put(key_, data_, metadata_);
  }

 private:
  Backend& backend_;
  std::string key_;
  Metadata metadata_;
  bool batched_;
  std::string data_;
};

// For backends without a streaming download: the object is fetched whole, then handed out.
class WholeObjectReader final : public ObjectReader {
 public:
  explicit WholeObjectReader(StoredObject object) : object_(std::move(object)) {}

  const Metadata& metadata() const override { return object_.metadata; }
  Result<std::string_view> read(size_t max) override {
    std::string_view rest = std::string_view(object_.data).substr(offset_);
    std::string_view piece = rest.substr(0, std::min(max, rest.size()));
    offset_ += piece.size();
    return piece;
  }

 private:
  StoredObject object_;
  size_t offset_ = 0;
};

}  // namespace

Result<std::unique_ptr<ObjectWriter>> Backend::open_writer(const std::string& key, const Metadata& metadata,
                                                           bool batched) {
  return std::make_unique<BufferingWriter>(*this, key, metadata, batched);
}

Result<std::unique_ptr<ObjectReader>> Backend::open_reader(const std::string& key) {
  StoredObject object = ASTACUS_TRY(get(key));
  return std::make_unique<WholeObjectReader>(std::move(object));
}

Result<std::string> Backend::get_range(const std::string& key, uint64_t offset, uint64_t length) {
  StoredObject object = ASTACUS_TRY(get(key));
  uint64_t size = object.data.size();
  uint64_t got = offset < size ? std::min(length, size - offset) : 0;
  ASTACUS_CHECK(check_range_length(key, offset, length, got));
  return object.data.substr(offset, length);
}

Status check_range_length(const std::string& key, uint64_t offset, uint64_t length, uint64_t got) {
  if (got == length) return ok();
  return errorf(ErrorCode::kCorruption, "object '{}': a read of bytes {}..{} got {} bytes instead of {}", key, offset,
                offset + length, got, length);
}

Status Backend::list_each(const std::string& dir, const std::function<void(std::string_view)>& on_name) {
  auto names = ASTACUS_TRY(list(dir));
  for (auto& name : names) {
    on_name(name);
    std::string().swap(name);  // each name is freed once handed on
  }
  return ok();
}

}  // namespace astacus::storage
