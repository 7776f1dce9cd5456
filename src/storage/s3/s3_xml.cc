#include "storage/s3/s3_xml.h"

#include "storage/xml_text.h"

#include <charconv>

#include <fmt/format.h>

namespace astacus::storage::s3 {

std::string xml_decode(std::string_view text) { return storage::xml_unescape(text); }

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string_view> xml_elements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  std::string open = fmt::format("<{}", tag);
  std::string close = fmt::format("</{}>", tag);
  size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    size_t after = pos + open.size();
    if (after >= xml.size()) break;
    char next = xml[after];
    if (next != '>' && next != '/' && next != ' ' && next != '\t' && next != '\n' && next != '\r') {
      pos = after;  // a longer tag name, e.g. <KeyCount> when looking for <Key>
      continue;
    }
    size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) break;
    if (xml[gt - 1] == '/') {
      out.emplace_back();
      pos = gt + 1;
      continue;
    }
    size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(gt + 1, end - gt - 1));
    pos = end + close.size();
  }
  return out;
}

std::optional<std::string> xml_text(std::string_view xml, std::string_view tag) {
  auto elements = xml_elements(xml, tag);
  if (elements.empty()) return std::nullopt;
  return xml_decode(elements.front());
}

Result<ListPage> parse_list_page(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos) {
    return errorf(ErrorCode::kInvalidArgument, "listing response is not a ListBucketResult: '{}'",
                  xml.substr(0, 200));
  }
  ListPage page;
  for (std::string_view contents : xml_elements(xml, "Contents")) {
    auto key = xml_text(contents, "Key");
    if (key) page.keys.push_back(std::move(*key));
  }
  page.truncated = xml_text(xml, "IsTruncated").value_or("false") == "true";
  if (page.truncated) {
    page.next_token = xml_text(xml, "NextContinuationToken").value_or("");
    if (page.next_token.empty()) {
      return errorf(ErrorCode::kInvalidArgument, "truncated listing without a NextContinuationToken");
    }
  }
  return page;
}

std::optional<ErrorBody> parse_error_body(std::string_view xml) {
  auto error = xml_elements(xml, "Error");
  if (error.empty()) return std::nullopt;
  return ErrorBody{xml_text(error.front(), "Code").value_or(""), xml_text(error.front(), "Message").value_or("")};
}

Result<std::string> parse_upload_id(std::string_view xml) {
  auto id = xml_text(xml, "UploadId");
  if (!id || id->empty()) {
    return errorf(ErrorCode::kInvalidArgument, "CreateMultipartUpload response has no UploadId: '{}'",
                  xml.substr(0, 200));
  }
  return *id;
}

std::string complete_multipart_body(const std::vector<std::string>& etags) {
  std::string out = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    out += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", i + 1, xml_escape(etags[i]));
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

}  // namespace astacus::storage::s3
