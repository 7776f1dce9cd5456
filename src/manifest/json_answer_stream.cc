#include "manifest/json_answer_stream.h"

#include "manifest/json.h"
#include "manifest/json_flat.h"

namespace astacus::manifest {

namespace {

constexpr size_t kFiles = 0;
constexpr size_t kHashes = 1;

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
    hashes_.push_back(target.hashes.front());
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
    result->hashes->swap(hashes_);
  } else if (!hashes_.empty()) {
    return std::nullopt;
  }
  return std::optional<SnapshotResult>(std::move(*result));
}

}  // namespace astacus::manifest
