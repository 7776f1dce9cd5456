#include "storage/azure/azure_stream.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <deque>
#include <future>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "storage/parts_in_flight.h"
#include "storage/ranged_reader.h"

namespace astacus::storage::azure {

namespace {

// "azure site 's': blob 'b' in container 'c'", the start of this file's messages.
std::string blob_subject(const Client& client, const std::string& blob) {
  return fmt::format("azure site '{}': blob '{}' in container '{}'", client.options().site, blob,
                     client.options().container);
}

class BlockWriter final : public ObjectWriter {
 public:
  BlockWriter(const Client& client, std::string blob, Pairs meta_headers, const StreamLimits& limits)
      : client_(client),
        blob_(std::move(blob)),
        meta_headers_(std::move(meta_headers)),
        single_put_limit_(limits.single_put_limit),
        block_size_(std::max<size_t>(1, limits.block_size)),
        max_blocks_(std::max<size_t>(1, limits.max_blocks)),
        in_flight_(static_cast<size_t>(std::max(1, limits.blocks_in_flight)), [](Status sent) { return sent; }) {}

  // Blocks still being sent reference this writer: they are waited for first. Their staged
  // bytes need no clean-up (see the header).
  ~BlockWriter() override { in_flight_.wait_all(); }

  Status write(std::string_view bytes) override {
    ASTACUS_CHECK(check_open());
    while (!bytes.empty()) {
      // A full block is handed over only once more bytes follow it, so an object of exactly
      // single_put_limit stays one Put Blob and the last block is never empty.
      if (block_.size() == block_size_) ASTACUS_CHECK(hand_over_full_block());
      if (block_.capacity() < block_size_) block_.reserve(block_size_);  // no growth by doubling
      size_t take = std::min(block_size_ - block_.size(), bytes.size());
      block_.append(bytes.substr(0, take));
      size_ += take;
      bytes.remove_prefix(take);
    }
    return ok();
  }

  Status commit() override {
    ASTACUS_CHECK(check_open());
    ASTACUS_CHECK(fits_one_put() ? put_whole() : finish_blocks());
    committed_ = true;
    release_buffers();
    return ok();
  }

 private:
  Status check_open() const {
    if (error_) return make_error(*error_);  // a failed writer stays failed
    if (committed_) return errorf(ErrorCode::kInternal, "{}: written after commit", blob_subject(client_, blob_));
    return ok();
  }

  bool fits_one_put() const { return blocks_sent_ == 0 && size_ <= single_put_limit_; }

  // More bytes follow the full block_: while the object may still end within single_put_limit
  // the block is held back (it may become part of one Put Blob), otherwise it is staged.
  Status hand_over_full_block() {
    if (size_ < single_put_limit_) {
      held_.push_back(std::exchange(block_, std::string()));
      return ok();
    }
    ASTACUS_CHECK(send_held_blocks());
    return send_block(take_block(), /*more_follows=*/true);
  }

  std::string take_block() {
    std::string full = std::exchange(block_, in_flight_.take_spare());
    block_.clear();
    return full;
  }

  Status send_held_blocks() {
    for (auto& held : held_) ASTACUS_CHECK(send_block(std::move(held), /*more_follows=*/true));
    held_.clear();
    return ok();
  }

  // Starts Put Block of `body` as the next block. When more bytes follow they need one more
  // block: the limit is checked before sending this one, so an object that cannot fit fails
  // without staging its last allowed block for nothing.
  Status send_block(std::string body, bool more_follows) {
    size_t number = blocks_sent_ + 1;
    if (number + (more_follows ? 1 : 0) > max_blocks_) return fail(too_many_blocks());
    Status started = in_flight_.start(std::move(body), [this, number](std::string_view block) {
      Status sent = put_block(client_, blob_, ids_.id(number - 1), block);
      if (!sent) sent = make_error(sent.error().with_context(fmt::format("block {}", number)));
      return sent;
    });
    if (!started) return fail(started.error());
    ++blocks_sent_;
    return ok();
  }

  // The whole object in one Put Blob; held blocks are joined to the last one first (a copy of
  // at most single_put_limit bytes, the price of storing small objects as put() does).
  Status put_whole() {
    std::string joined;
    if (!held_.empty()) {
      joined.reserve(size_);
      for (const auto& held : held_) joined += held;
      joined += block_;
    }
    Status put = put_blob(client_, blob_, held_.empty() ? std::string_view(block_) : joined, meta_headers_);
    if (!put) return fail(put.error());
    return ok();
  }

  Status finish_blocks() {
    ASTACUS_CHECK(send_held_blocks());
    ASTACUS_CHECK(send_block(take_block(), /*more_follows=*/false));  // the last one
    Status blocks = in_flight_.finish();
    if (!blocks) return fail(blocks.error());
    Status listed = put_block_list(client_, blob_, ids_.first(blocks_sent_), meta_headers_);
    if (!listed) return fail(listed.error());
    return ok();
  }

  // Records the failure and waits for the blocks in flight (they reference this writer).
  Status fail(Error error) {
    error_ = error;
    in_flight_.wait_all();
    release_buffers();
    return make_error(std::move(error));
  }

  void release_buffers() {
    block_ = std::string();
    held_ = {};
  }

  Error too_many_blocks() const {
    return Error{ErrorCode::kInvalidArgument,
                 fmt::format("{} is too large to stream: over {} blocks of {} bytes ({} bytes); a streamed "
                             "upload cannot grow its blocks since its size is not known in advance",
                             blob_subject(client_, blob_), max_blocks_, block_size_, max_blocks_ * block_size_),
                 false};
  }

  const Client& client_;
  std::string blob_;
  Pairs meta_headers_;
  size_t single_put_limit_;
  size_t block_size_;
  size_t max_blocks_;
  BlockIds ids_;

  std::string block_;               // the block being filled
  std::vector<std::string> held_;   // full blocks not sent while the object may be one Put Blob
  uint64_t size_ = 0;               // bytes written so far
  size_t blocks_sent_ = 0;
  std::optional<Error> error_;
  bool committed_ = false;
  PartsInFlight<Status> in_flight_;  // last: destroyed first, waiting for its blocks
};

std::optional<uint64_t> parse_size(std::string_view text) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

// "bytes 0-99/1234" → 1234; nullopt when absent, malformed or "*".
std::optional<uint64_t> content_range_total(std::string_view value) {
  size_t slash = value.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  return parse_size(value.substr(slash + 1));
}

class RangeReader final : public RangedReader {
 public:
  RangeReader(const Client& client, std::string blob, uint64_t size, std::string etag, Metadata metadata,
              size_t chunk_size)
      : RangedReader(size, chunk_size),
        client_(client),
        blob_(std::move(blob)),
        etag_(std::move(etag)),
        metadata_(std::move(metadata)) {}

  const Metadata& metadata() const override { return metadata_; }

 private:
  Result<std::string> fetch_range(uint64_t offset, uint64_t length) override {
    uint64_t last = offset + length - 1;
    Request request{"Get Blob", "GET", blob_, {}, {{"x-ms-range", fmt::format("bytes={}-{}", offset, last)}}, {}};
    if (!etag_.empty()) request.headers.emplace_back("If-Match", etag_);  // 412 once replaced
    auto response = client_.call(request);
    if (!response && response.error().code == ErrorCode::kConflict) {
      return make_error(changed_or_removed(response.error()).error());
    }
    if (!response) return make_error(std::move(response).error());
    ASTACUS_CHECK(check_same_version(*response));
    if (response->body.size() != length) {
      return errorf(ErrorCode::kUnavailable, "{}: Get Blob of bytes {}-{} answered {} bytes instead of {} (HTTP {})",
                    blob_subject(client_, blob_), offset, last, response->body.size(), length, response->status);
    }
    return std::move(response->body);
  }

  // For servers that ignore If-Match: the answer's ETag and total size must be the first ones.
  Status check_same_version(const Response& response) const {
    std::string etag = response.header("ETag");
    std::optional<uint64_t> total = content_range_total(response.header("Content-Range"));
    bool etag_changed = !etag.empty() && !etag_.empty() && etag != etag_;
    bool size_changed = total && *total != size();
    if (!etag_changed && !size_changed) return ok();
    return changed(fmt::format("now ETag {}, {} bytes", etag.empty() ? "?" : etag,
                               total ? std::to_string(*total) : std::string("?")));
  }

  // If-Match also fails once the blob is gone (Azurite answers 412, not 404): a removed blob is
  // told apart by its properties, so it is NotFound whatever the server answered.
  Status changed_or_removed(const Error& precondition_failed) const {
    auto properties = client_.call({"Get Blob Properties", "HEAD", blob_, {}, {}, {}});
    if (!properties && properties.error().code == ErrorCode::kNotFound) {
      return make_error(properties.error().with_context(
          fmt::format("{} was removed while it was being read", blob_subject(client_, blob_))));
    }
    return changed(precondition_failed.message);
  }

  Status changed(std::string_view detail) const {
    return errorf(ErrorCode::kConflict, "{} changed while it was being read (ETag {}, {} bytes when opened): {}",
                  blob_subject(client_, blob_), etag_, size(), detail);
  }

  const Client& client_;
  std::string blob_;
  std::string etag_;
  Metadata metadata_;
};

}  // namespace

std::unique_ptr<ObjectWriter> make_block_writer(const Client& client, std::string blob, Pairs meta_headers,
                                                const StreamLimits& limits) {
  return std::make_unique<BlockWriter>(client, std::move(blob), std::move(meta_headers), limits);
}

Result<std::unique_ptr<ObjectReader>> make_range_reader(const Client& client, std::string blob,
                                                        const Response& properties, Metadata metadata,
                                                        size_t chunk_size) {
  std::optional<uint64_t> size = parse_size(properties.header("Content-Length"));
  if (!size) {
    return errorf(ErrorCode::kUnavailable, "{}: Get Blob Properties answered no valid Content-Length",
                  blob_subject(client, blob));
  }
  return std::make_unique<RangeReader>(client, std::move(blob), *size, properties.header("ETag"),
                                       std::move(metadata), chunk_size);
}

}  // namespace astacus::storage::azure
