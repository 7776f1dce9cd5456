#include "manifest/json_answer_stream.h"

#include "manifest/json.h"
#include "manifest/json_flat.h"

namespace astacus::manifest {

namespace {

constexpr size_t kFiles = 0;
constexpr size_t kHashes = 1;
constexpr size_t kHashBlock = 4096;  // hashes per block (160 KiB)

}  // namespace

SnapshotAnswerStream::SnapshotAnswerStream(ListSink on_list_text, std::string path)
    : on_list_text_(std::move(on_list_text)),
      path_(std::move(path)),
      splitter_({{"state", "files"}, {"hashes"}},
                [this](size_t array, size_t index, std::string_view text) { return on_element(array, index, text); }) {}

SnapshotAnswerStream::~SnapshotAnswerStream() = default;

Status SnapshotAnswerStream::to_sink(std::string_view text) {
  list_text_size_ += text.size();
  return on_list_text_(text);
}

Status SnapshotAnswerStream::on_element(size_t array, size_t index, std::string_view text) {
  if (failed_) return ok();
  detail::StreamedArrays target;
  auto kind = array == kFiles ? detail::BigArrayKind::kFiles : detail::BigArrayKind::kHashes;
  if (detail::convert_element_text(text, kind, index, path_, members_, target)) {
    failed_ = true;  // the whole-text parser will name the entry
    return ok();
  }
  if (array == kHashes) {
    if (hash_blocks_.empty() || hash_blocks_.back().size() == kHashBlock) {
      hash_blocks_.emplace_back().reserve(kHashBlock);
    }
    hash_blocks_.back().push_back(target.hashes.front());
    ++hash_count_;
    return ok();
  }
  ASTACUS_CHECK(to_sink(index == 0 ? "[" : ","));
  return to_sink(text);
}

Status SnapshotAnswerStream::write(std::string_view bytes) {
  if (failed_) return ok();
  return splitter_.write(bytes);
}

Result<std::optional<SnapshotResult>> SnapshotAnswerStream::finish() {
  if (failed_ || !splitter_.finish()) return std::nullopt;
  auto result = detail::read_snapshot_result_element(splitter_.skeleton(), path_, {});
  if (!result) return std::nullopt;
  if (result->state && splitter_.seen(kFiles)) {  // a state without files has none
    ASTACUS_CHECK(to_sink(splitter_.elements(kFiles) == 0 ? "[]" : "]"));
    list_done_ = true;
  }
  if (result->hashes) {
    result->hashes->reserve(hash_count_);
    for (auto& block : hash_blocks_) {
      result->hashes->insert(result->hashes->end(), block.begin(), block.end());
      std::vector<SnapshotHash>().swap(block);
    }
  } else if (hash_count_ > 0) {
    return std::nullopt;
  }
  hash_blocks_.clear();
  return std::optional<SnapshotResult>(std::move(*result));
}

}  // namespace astacus::manifest
