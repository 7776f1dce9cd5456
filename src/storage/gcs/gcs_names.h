#pragma once
// Where a site's objects are: object names from keys (rohmu's GCS key rules, storage-formats.md
// §2.2: prefix + key, the leading '/' is never stripped), list prefixes, and the JSON API URLs.
// Pure functions; thread-safe.

#include <string>
#include <string_view>

namespace astacus::storage::gcs {

inline constexpr const char* kDefaultEndpoint = "https://storage.googleapis.com";

/// rohmu's prefix: "" stays "", otherwise a trailing '/' is added when missing.
std::string normalize_prefix(std::string_view prefix);

/// normalized prefix + key with every trailing '/' stripped.
std::string object_name(std::string_view normalized_prefix, std::string_view key);

/// normalized prefix + dir with exactly one trailing '/' ("" becomes "/", as in rohmu).
std::string list_prefix(std::string_view normalized_prefix, std::string_view dir);

/// Percent-encodes every byte except A-Z a-z 0-9 - . _ ~ (so '/' becomes %2F).
std::string url_encode(std::string_view text);

/// URLs of the JSON API under `endpoint` ("http://host:port", no trailing '/').
struct Urls {
  std::string endpoint;
  std::string bucket;

  /// {endpoint}/storage/v1/b/{bucket}/o/{name}: metadata (GET), DELETE.
  std::string object(std::string_view name) const;
  /// The object's bytes of `generation` (alt=media).
  std::string media(std::string_view name, std::string_view generation) const;
  /// The object's bytes only while its generation is `generation` (alt=media&ifGenerationMatch:
  /// 412 once the object was replaced); any generation when `generation` is "".
  std::string pinned_media(std::string_view name, std::string_view generation) const;
  /// objects.list of `prefix` with delimiter '/'; `page_token` and `max_results` when set.
  std::string list(std::string_view prefix, std::string_view page_token, int max_results) const;
  /// Starts a resumable upload of `name`.
  std::string resumable_upload(std::string_view name) const;
};

}  // namespace astacus::storage::gcs
