#include "coordinator/node_file_lists.h"

#include <future>
#include <system_error>

#include <spdlog/spdlog.h>

#include "codec/stream.h"
#include "codec/zstd_codec.h"
#include "manifest/json.h"
#include "manifest/json_answer_stream.h"
#include "manifest/json_skim.h"

namespace astacus::coordinator {

namespace {

/// zstd's fastest level: the list is compressed once and read twice (size, then upload), and
/// its hexdigests, most of its bytes, compress no better at higher levels.
constexpr int kListCompressionLevel = 1;

/// Where state.files lies in a snapshot result's text, if it is there exactly once.
std::optional<std::string_view> files_array_text(std::string_view text) {
  auto state = manifest::sole_member_value(text, "state");
  if (!state) return std::nullopt;
  std::string_view state_text = text.substr(state->offset, state->size);
  auto files = manifest::sole_member_value(state_text, "files");
  if (!files) return std::nullopt;
  return state_text.substr(files->offset, files->size);
}

/// Compressed output of at most this many bytes per string.
constexpr size_t kChunkBytes = size_t{1} << 20;
/// List text is handed to zstd in batches of this size (one call per entry costs more).
constexpr size_t kBatchBytes = size_t{64} << 10;

/// Appends to a list of strings of kChunkBytes each.
class ChunkSink final : public codec::ByteSink {
 public:
  explicit ChunkSink(std::vector<std::string>& chunks) : chunks_(chunks) {}
  Status write(std::string_view bytes) override {
    while (!bytes.empty()) {
      if (chunks_.empty() || chunks_.back().size() == kChunkBytes) {
        chunks_.emplace_back().reserve(kChunkBytes);
      }
      std::string& last = chunks_.back();
      size_t n = std::min(bytes.size(), kChunkBytes - last.size());
      last.append(bytes.substr(0, n));
      bytes.remove_prefix(n);
    }
    return ok();
  }

 private:
  std::vector<std::string>& chunks_;
};

class TextSinkAdapter final : public codec::ByteSink {
 public:
  explicit TextSinkAdapter(const manifest::TextSink& sink) : sink_(sink) {}
  Status write(std::string_view bytes) override { return sink_(bytes); }

 private:
  const manifest::TextSink& sink_;
};

}  // namespace

Result<manifest::SnapshotResult> NodeFileLists::read(size_t index, std::string_view result_text,
                                                     std::string_view path) {
  if (index >= lists_.size()) {
    return errorf(ErrorCode::kInternal, "node index {} out of range ({} nodes)", index, lists_.size());
  }
  // The list is compressed on another thread while the whole answer is checked: both take
  // about as long, and the coordinator's cores are otherwise idle at this point.
  auto files = files_array_text(result_text);
  auto compress = [files] { return codec::zstd_compress(kListCompressionLevel, *files); };
  std::future<Result<std::string>> compressing;
  if (files) {
    try {
      compressing = std::async(std::launch::async, compress);
    } catch (const std::system_error&) {
      // No thread to spare: compressed below, after the check.
    }
  }
  auto result = manifest::parse_snapshot_result_outline(result_text, path);
  std::optional<Result<std::string>> compressed_list;
  if (compressing.valid()) compressed_list = compressing.get();
  if (!result || !result->state) return result;
  if (!files) return manifest::parse_snapshot_result_text(result_text, path);
  if (!compressed_list) compressed_list = compress();
  auto compressed = ASTACUS_TRY(std::move(*compressed_list));
  compressed.shrink_to_fit();  // zstd_compress leaves room for the worst case: the text's size
  Compressed list;
  list.chunks.push_back(std::move(compressed));
  list.text_size = files->size();
  ASTACUS_CHECK(keep(index, std::move(list)));
  return result;
}

struct NodeFileLists::AnswerReader::State {
  State() : stream([this](std::string_view text) { return add(text); }) {}

  /// Takes a piece of the list's text; batches go to zstd.
  Status add(std::string_view text) {
    pending.append(text);
    return pending.size() < kBatchBytes ? ok() : flush();
  }
  Status flush() {
    if (!compressor) compressor = ASTACUS_TRY(codec::make_zstd_compressor(kListCompressionLevel, std::nullopt));
    ChunkSink sink(list.chunks);
    ASTACUS_CHECK(compressor->update(pending, sink));
    pending.clear();
    return ok();
  }
  Status end_list() {
    ASTACUS_CHECK(flush());
    ChunkSink sink(list.chunks);
    ASTACUS_CHECK(compressor->finish(sink));
    compressor.reset();
    std::string().swap(pending);
    if (!list.chunks.empty()) list.chunks.back().shrink_to_fit();
    list.text_size = stream.list_text_size();
    return ok();
  }

  manifest::SnapshotAnswerStream stream;
  std::unique_ptr<codec::StreamTransform> compressor;  // made on the list's first batch
  std::string pending;
  Compressed list;
  std::optional<manifest::SnapshotResult> result;
};

NodeFileLists::AnswerReader::AnswerReader() : state_(std::make_unique<State>()) {}
NodeFileLists::AnswerReader::~AnswerReader() = default;

Status NodeFileLists::AnswerReader::write(std::string_view bytes) { return state_->stream.write(bytes); }

Result<std::optional<std::string>> NodeFileLists::AnswerReader::finish() {
  auto result = ASTACUS_TRY(state_->stream.finish());
  if (!result) return std::nullopt;
  if (state_->stream.has_list()) ASTACUS_CHECK(state_->end_list());
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

Status NodeFileLists::keep(size_t index, Compressed list) {
  if (index >= lists_.size()) {
    return errorf(ErrorCode::kInternal, "node index {} out of range ({} nodes)", index, lists_.size());
  }
  size_t bytes = 0;
  for (const auto& chunk : list.chunks) bytes += chunk.size();
  spdlog::debug("node {}: file list of {} bytes kept as {} compressed", index, list.text_size, bytes);
  lists_[index] = std::move(list);
  return ok();
}

bool NodeFileLists::has(size_t index) const { return index < lists_.size() && lists_[index]; }

Status NodeFileLists::write(size_t index, const manifest::TextSink& sink) const {
  if (!has(index)) return errorf(ErrorCode::kInternal, "no file list kept for node {}", index);
  auto decompressor = ASTACUS_TRY(codec::make_zstd_decompressor());
  TextSinkAdapter out(sink);
  for (const auto& chunk : lists_[index]->chunks) ASTACUS_CHECK(decompressor->update(chunk, out));
  return decompressor->finish(out);
}

uint64_t NodeFileLists::text_size(size_t index) const { return has(index) ? lists_[index]->text_size : 0; }

size_t NodeFileLists::compressed_bytes() const {
  size_t bytes = 0;
  for (const auto& list : lists_) {
    if (!list) continue;
    for (const auto& chunk : list->chunks) bytes += chunk.size();
  }
  return bytes;
}

size_t NodeFileLists::allocated_bytes() const {
  size_t bytes = 0;
  for (const auto& list : lists_) {
    if (!list) continue;
    for (const auto& chunk : list->chunks) bytes += chunk.capacity();
  }
  return bytes;
}

}  // namespace astacus::coordinator
