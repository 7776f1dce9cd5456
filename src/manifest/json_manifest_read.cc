// read_manifest_* (json.h): manifests read as they stream in, one snapshot result at a time.
//
// The streamed read is only a way to hold less: whenever it meets something it does not expect
// (json_split.h gives up, an element or the skeleton does not parse), the whole text is fetched
// again and read by the whole-text parser, so a bad manifest gets exactly that parser's error.

#include <optional>

#include "manifest/json.h"
#include "manifest/json_split.h"
#include "manifest/json_stream.h"

namespace astacus::manifest {

namespace {

/// Reads one element of snapshot_results, as parse_streamed would inside the whole manifest.
using ReadResult = std::function<Result<std::optional<SnapshotResult>>(size_t index, std::string_view text)>;

Result<std::optional<SnapshotResult>> wanted(Result<SnapshotResult> result) {
  if (!result) return make_error(result.error());
  return std::optional<SnapshotResult>(std::move(*result));
}

struct SplitRead {
  std::string skeleton;
  std::vector<std::optional<SnapshotResult>> results;  // by index; nullopt = not wanted
};

/// Splits the fed text and reads each element with `read_result`. nullopt when the caller
/// should fall back to the whole text (the split gave up or an element did not read).
Result<std::optional<SplitRead>> split_read(const TextFeed& feed, const ReadResult& read_result) {
  SplitRead out;
  bool failed = false;
  ResultSplitter splitter([&](size_t index, std::string_view text) -> Status {
    if (failed) return ok();
    auto result = read_result(index, text);
    if (!result) {
      failed = true;  // the whole-text parser will say why (after checking the format version)
    } else {
      out.results.push_back(std::move(*result));
    }
    return ok();
  });
  Status fed = feed([&](std::string_view bytes) { return splitter.write(bytes); });
  if (!fed) return make_error(fed.error());
  if (failed || !splitter.finish()) return std::optional<SplitRead>();
  out.skeleton = splitter.skeleton();
  return std::optional<SplitRead>(std::move(out));
}

Result<std::string> whole_text(const TextFeed& feed) {
  std::string text;
  ASTACUS_CHECK(feed([&](std::string_view bytes) {
    text.append(bytes);
    return ok();
  }));
  return text;
}

std::string element_path(size_t index) { return "snapshot_results[" + std::to_string(index) + "]"; }

/// The skeleton read as a manifest (format version checked first), the streamed results put
/// back in their places. nullopt when it does not read: the caller falls back.
std::optional<BackupManifest> with_results(SplitRead& split, std::string_view name) {
  auto manifest = parse_manifest_outline(split.skeleton, name);
  if (!manifest || !manifest->snapshot_results.empty()) return std::nullopt;
  for (auto& result : split.results) {
    if (!result) return std::nullopt;
    manifest->snapshot_results.push_back(std::move(*result));
  }
  return std::move(*manifest);
}

}  // namespace

Result<BackupManifest> read_manifest_outline(const TextFeed& feed, std::string_view name) {
  auto split = ASTACUS_TRY(split_read(feed, [](size_t index, std::string_view text) {
    return wanted(detail::read_snapshot_result_element(text, element_path(index), {.files = false, .hashes = false}));
  }));
  if (split) {
    if (auto manifest = with_results(*split, name)) return std::move(*manifest);
  }
  return parse_manifest_outline(ASTACUS_TRY(whole_text(feed)), name);
}

Result<BackupManifest> read_manifest_visiting_files(const TextFeed& feed, std::string_view name,
                                                    const std::function<void(size_t, const SnapshotFile&)>& on_file,
                                                    const std::function<void()>& restart) {
  auto split = ASTACUS_TRY(split_read(feed, [&](size_t index, std::string_view text) {
    detail::FileVisitor visit = [&](size_t, const SnapshotFile& file) { on_file(index, file); };
    return wanted(detail::read_snapshot_result_element(text, element_path(index), {.files = false, .hashes = true}, &visit));
  }));
  if (split) {
    if (auto manifest = with_results(*split, name)) return std::move(*manifest);
  }
  if (restart) restart();  // the whole-text read visits every file again
  return parse_manifest_visiting_files(ASTACUS_TRY(whole_text(feed)), name, on_file);
}

Result<SnapshotResult> read_manifest_snapshot_result(const TextFeed& feed, std::string_view name, size_t index) {
  auto split = ASTACUS_TRY(split_read(feed, [index](size_t i, std::string_view text) {
    if (i != index) return Result<std::optional<SnapshotResult>>(std::nullopt);  // another node's
    return wanted(detail::read_snapshot_result_element(text, element_path(i), {}));
  }));
  if (split && index < split->results.size() && split->results[index]) {
    auto outline = parse_manifest_outline(split->skeleton, name);  // format version, top level
    if (outline && outline->snapshot_results.empty()) return std::move(*split->results[index]);
  }
  return parse_manifest_snapshot_result(ASTACUS_TRY(whole_text(feed)), name, index);
}

}  // namespace astacus::manifest
