#pragma once
// Entity decoding shared by the hand-written XML readers of the cloud backends (s3/, azure/).

#include <string>
#include <string_view>

namespace astacus::storage {

/// Decodes &amp; &lt; &gt; &quot; &apos; and numeric (&#N; / &#xH;) references to UTF-8;
/// unknown or malformed references are kept as written.
std::string xml_unescape(std::string_view text);

}  // namespace astacus::storage
