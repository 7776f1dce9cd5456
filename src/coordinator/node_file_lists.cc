#include "coordinator/node_file_lists.h"

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
  auto result = ASTACUS_TRY(manifest::parse_snapshot_result_outline(result_text, path));
  if (!result.state) return result;
  auto files = files_array_text(result_text);
  if (!files) return manifest::parse_snapshot_result_text(result_text, path);
  auto compressed = ASTACUS_TRY(codec::zstd_compress(kListCompressionLevel, *files));
  compressed.shrink_to_fit();  // zstd_compress leaves room for the worst case: the text's size
  spdlog::debug("node {}: file list of {} bytes kept as {} compressed", index, files->size(), compressed.size());
  compressed_[index] = std::move(compressed);
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
