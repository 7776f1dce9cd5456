#include "coordinator/node_file_lists.h"

#include <future>
#include <system_error>

#include <spdlog/spdlog.h>

#include "codec/compressed_text.h"
#include "codec/stream.h"
#include "manifest/json.h"
#include "manifest/json_answer_stream.h"
#include "manifest/json_skim.h"

namespace astacus::coordinator {

namespace {

/// Where state.files lies in a snapshot result's text, if it is there exactly once.
std::optional<std::string_view> files_array_text(std::string_view text) {
  auto state = manifest::sole_member_value(text, "state");
  if (!state) return std::nullopt;
  std::string_view state_text = text.substr(state->offset, state->size);
  auto files = manifest::sole_member_value(state_text, "files");
  if (!files) return std::nullopt;
  return state_text.substr(files->offset, files->size);
}


}  // namespace

Result<manifest::SnapshotResult> NodeFileLists::read(size_t index, std::string_view result_text,
                                                     std::string_view path) {
  if (index >= lists_.size()) {
    return errorf(ErrorCode::kInternal, "node index {} out of range ({} nodes)", index, lists_.size());
  }
  // The list is compressed on another thread while the whole answer is checked: both take
  // about as long, and the coordinator's cores are otherwise idle at this point.
  auto files = files_array_text(result_text);
  auto compress = [files]() -> Result<codec::CompressedText> {
    codec::CompressedText list;
    ASTACUS_CHECK(list.append(*files));
    ASTACUS_CHECK(list.finish());
    return list;
  };
  std::future<Result<codec::CompressedText>> compressing;
  if (files) {
    try {
      compressing = std::async(std::launch::async, compress);
    } catch (const std::system_error&) {
      // No thread to spare: compressed below, after the check.
    }
  }
  auto result = manifest::parse_snapshot_result_outline(result_text, path);
  std::optional<Result<codec::CompressedText>> compressed_list;
  if (compressing.valid()) compressed_list = compressing.get();
  if (!result || !result->state) return result;
  if (!files) return manifest::parse_snapshot_result_text(result_text, path);
  if (!compressed_list) compressed_list = compress();
  ASTACUS_CHECK(keep(index, ASTACUS_TRY(std::move(*compressed_list))));
  return result;
}

struct NodeFileLists::AnswerReader::State {
  State() : stream([this](std::string_view text) { return list.append(text); }) {}

  manifest::SnapshotAnswerStream stream;
  codec::CompressedText list;
  std::optional<manifest::SnapshotResult> result;
};

NodeFileLists::AnswerReader::AnswerReader() : state_(std::make_unique<State>()) {}
NodeFileLists::AnswerReader::~AnswerReader() = default;

Status NodeFileLists::AnswerReader::write(std::string_view bytes) { return state_->stream.write(bytes); }

Result<std::optional<std::string>> NodeFileLists::AnswerReader::finish() {
  auto result = ASTACUS_TRY(state_->stream.finish());
  if (!result) return std::nullopt;
  if (state_->stream.has_list()) ASTACUS_CHECK(state_->list.finish());
  state_->result = std::move(*result);
  return std::optional<std::string>(state_->stream.skeleton());
}

std::shared_ptr<NodeFileLists::AnswerReader> NodeFileLists::reader() { return std::make_shared<AnswerReader>(); }

Result<manifest::SnapshotResult> NodeFileLists::take(size_t index, AnswerReader& reader) {
  auto& state = *reader.state_;
  if (!state.result) return errorf(ErrorCode::kInternal, "node {}: its answer was not read", index);
  if (state.stream.has_list()) ASTACUS_CHECK(keep(index, std::move(state.list)));
  manifest::SnapshotResult result = std::move(*state.result);
  state.result.reset();
  return result;
}

Status NodeFileLists::keep(size_t index, codec::CompressedText list) {
  if (index >= lists_.size()) {
    return errorf(ErrorCode::kInternal, "node index {} out of range ({} nodes)", index, lists_.size());
  }
  spdlog::debug("node {}: file list of {} bytes kept as {} compressed", index, list.text_size(),
                list.compressed_bytes());
  lists_[index] = std::move(list);
  return ok();
}

bool NodeFileLists::has(size_t index) const { return index < lists_.size() && lists_[index]; }

Status NodeFileLists::write(size_t index, const manifest::TextSink& sink) const {
  if (!has(index)) return errorf(ErrorCode::kInternal, "no file list kept for node {}", index);
  codec::FunctionSink out(sink);
  return lists_[index]->write(out);
}

uint64_t NodeFileLists::text_size(size_t index) const { return has(index) ? lists_[index]->text_size() : 0; }

size_t NodeFileLists::compressed_bytes() const {
  size_t bytes = 0;
  for (const auto& list : lists_) bytes += list ? list->compressed_bytes() : 0;
  return bytes;
}

size_t NodeFileLists::allocated_bytes() const {
  size_t bytes = 0;
  for (const auto& list : lists_) bytes += list ? list->allocated_bytes() : 0;
  return bytes;
}

}  // namespace astacus::coordinator
