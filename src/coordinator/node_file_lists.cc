#include "coordinator/node_file_lists.h"

#include <future>
#include <system_error>

#include <spdlog/spdlog.h>

#include "codec/stream.h"
#include "codec/zstd_codec.h"
#include "manifest/json.h"
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
  if (index >= compressed_.size()) {
    return errorf(ErrorCode::kInternal, "node index {} out of range ({} nodes)", index, compressed_.size());
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
  spdlog::debug("node {}: file list of {} bytes kept as {} compressed", index, files->size(), compressed.size());
  compressed_[index] = std::move(compressed);
  text_sizes_[index] = files->size();
  return result;
}

bool NodeFileLists::has(size_t index) const { return index < compressed_.size() && compressed_[index]; }

Status NodeFileLists::write(size_t index, const manifest::TextSink& sink) const {
  if (!has(index)) return errorf(ErrorCode::kInternal, "no file list kept for node {}", index);
  auto decompressor = ASTACUS_TRY(codec::make_zstd_decompressor());
  TextSinkAdapter out(sink);
  ASTACUS_CHECK(decompressor->update(*compressed_[index], out));
  return decompressor->finish(out);
}

uint64_t NodeFileLists::text_size(size_t index) const { return has(index) ? text_sizes_[index] : 0; }

size_t NodeFileLists::compressed_bytes() const {
  size_t bytes = 0;
  for (const auto& c : compressed_) bytes += c ? c->size() : 0;
  return bytes;
}

size_t NodeFileLists::allocated_bytes() const {
  size_t bytes = 0;
  for (const auto& c : compressed_) bytes += c ? c->capacity() : 0;
  return bytes;
}

}  // namespace astacus::coordinator
