#pragma once
// The few XML documents of the Blob REST API, read and written by hand (no XML library): the
// schemas are fixed, flat and never nest an element inside one of the same name.
//   List Blobs  <EnumerationResults><Blobs><Blob><Name>..</Name>..</Blob>
//               <BlobPrefix><Name>..</Name></BlobPrefix></Blobs><NextMarker>..</NextMarker>
//   Error       <Error><Code>..</Code><Message>..</Message></Error>
//   Block list  <BlockList><Latest>id</Latest>..</BlockList>
// Pure functions; thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace astacus::storage::azure {

/// One element found by find_element(): its attribute text, its raw (undecoded) content and
/// the offset just past its end tag.
struct XmlElement {
  std::string_view attributes;
  std::string_view content;
  size_t end = 0;
};

/// The first element named exactly `tag` at or after `from` (`<tag>`, `<tag a="..">` or
/// `<tag/>`); nullopt when there is none or it is not closed.
std::optional<XmlElement> find_element(std::string_view xml, std::string_view tag, size_t from = 0);

/// Decodes the five predefined entities and numeric references (&#NN; &#xHH;) into UTF-8.
/// Unknown or malformed references are kept as they are.
std::string xml_unescape(std::string_view text);

/// Escapes & < > " ' for element content and attribute values.
std::string xml_escape(std::string_view text);

struct BlobListPage {
  std::vector<std::string> blobs;     // full blob names, decoded
  std::vector<std::string> prefixes;  // BlobPrefix names (with their trailing delimiter)
  std::string next_marker;            // "" on the last page
};

/// Parses a List Blobs response body. Names with Encoded="true" are percent-decoded.
/// InvalidArgument when the body is not an EnumerationResults document.
Result<BlobListPage> parse_list_blobs(std::string_view xml);

struct ErrorBody {
  std::string code;     // e.g. "ContainerNotFound"; "" when absent
  std::string message;  // first line of <Message>
};

/// Reads <Code>/<Message> from an error response body; empty fields when they are absent.
ErrorBody parse_error_body(std::string_view xml);

/// The Put Block List body committing `block_ids` (already base64) in order.
std::string block_list_xml(const std::vector<std::string>& block_ids);

}  // namespace astacus::storage::azure
