#pragma once
// The few S3 XML bodies we read and write, with a tiny hand-written extractor (no XML library):
// elements are found by exact tag name, text is entity-decoded. Enough for S3's flat, generated
// documents (no CDATA, comments or nesting of same-named elements). Pure functions; thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace astacus::storage::s3 {

/// Decodes &amp; &lt; &gt; &quot; &apos; and numeric (&#N; / &#xH;) references to UTF-8.
/// Unknown or malformed references are kept as they are.
std::string xml_decode(std::string_view text);

/// Escapes & < > " ' for element text.
std::string xml_escape(std::string_view text);

/// The raw (undecoded) content of every <tag>...</tag> (or <tag/>, content "") in document
/// order, searched from the start of `xml` without regard to nesting.
std::vector<std::string_view> xml_elements(std::string_view xml, std::string_view tag);

/// Decoded text of the first <tag> element, or nullopt when there is none.
std::optional<std::string> xml_text(std::string_view xml, std::string_view tag);

/// One ListObjectsV2 page.
struct ListPage {
  std::vector<std::string> keys;  // full object keys of <Contents>, decoded
  bool truncated = false;
  std::string next_token;  // NextContinuationToken, decoded; "" when not truncated
};
/// InvalidArgument when the body is not a ListBucketResult or is truncated without a token.
Result<ListPage> parse_list_page(std::string_view xml);

/// <Error><Code>..</Code><Message>..</Message></Error>; nullopt when the body is no S3 error.
struct ErrorBody {
  std::string code;
  std::string message;
};
std::optional<ErrorBody> parse_error_body(std::string_view xml);

/// UploadId of an InitiateMultipartUploadResult; InvalidArgument when absent.
Result<std::string> parse_upload_id(std::string_view xml);

/// CompleteMultipartUpload request body; part i+1 has ETag etags[i].
std::string complete_multipart_body(const std::vector<std::string>& etags);

}  // namespace astacus::storage::s3
