#include "storage/pack/pack_writer.h"

#include <fmt/format.h>

#include "base/files.h"
#include "storage/pack/pack_listing.h"

namespace astacus::storage::pack {

namespace {

// What a pack object's own metadata says (never decoded as a whole: its entries are).
const Metadata& pack_metadata() {
  static const Metadata metadata = {{"astacus-format", "astpk1"}};
  return metadata;
}

}  // namespace

PackWriter::PackWriter(Backend& backend, Metadata entry_metadata, uint64_t target_bytes)
    : backend_(backend), entry_metadata_(std::move(entry_metadata)), target_bytes_(target_bytes) {}

Status PackWriter::add(const Digest& digest, std::string_view stored) {
  std::lock_guard lock(mutex_);
  if (error_) return make_error(*error_);
  if (!writer_) ASTACUS_CHECK(open_locked());
  Status written = writer_->write(stored);
  if (!written) {
    error_ = written.error().with_context(fmt::format("writing pack '{}'", pack_key(id_)));
    return make_error(*error_);
  }
  index_.entries.push_back(Entry{digest, size_, static_cast<uint32_t>(stored.size())});
  size_ += stored.size();
  if (size_ >= target_bytes_) return close_locked();
  return ok();
}

Status PackWriter::close() {
  std::lock_guard lock(mutex_);
  return close_locked();
}

Status PackWriter::open_locked() {
  id_ = random_hex(32);
  auto writer = backend_.open_writer(pack_key(id_), pack_metadata(), /*batched=*/true);
  if (!writer) {
    error_ = writer.error().with_context(fmt::format("opening pack '{}'", pack_key(id_)));
    return make_error(*error_);
  }
  writer_ = std::move(*writer);
  index_ = Index{entry_metadata_, {}};
  size_ = 0;
  return ok();
}

Status PackWriter::close_locked() {
  std::optional<Error> error = std::move(error_);
  error_.reset();
  std::unique_ptr<ObjectWriter> writer = std::move(writer_);
  if (error) return make_error(*error);  // the spoiled pack is dropped uncommitted
  if (!writer) return ok();
  Status done = writer->commit();
  if (done) done = write_index(backend_, id_, index_);
  index_.entries.clear();
  if (!done) return make_error(done.error().with_context(fmt::format("closing pack '{}'", pack_key(id_))));
  return ok();
}

}  // namespace astacus::storage::pack
