#include "storage/azure/azure_xml.h"

#include "storage/xml_text.h"

#include <charconv>
#include <cstdint>

namespace astacus::storage::azure {

namespace {

bool ends_tag_name(char c) { return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The decoded <Name> of a Blob or BlobPrefix element body; nullopt when absent.
std::optional<std::string> element_name(std::string_view body) {
  auto name = find_element(body, "Name");
  if (!name) return std::nullopt;
  std::string text = xml_unescape(name->content);
  if (name->attributes.find("Encoded=\"true\"") != std::string_view::npos) return percent_decode(text);
  return text;
}

}  // namespace

std::optional<XmlElement> find_element(std::string_view xml, std::string_view tag, size_t from) {
  std::string open = "<" + std::string(tag);
  for (size_t pos = xml.find(open, from); pos != std::string_view::npos; pos = xml.find(open, pos + 1)) {
    size_t after = pos + open.size();
    if (after >= xml.size() || !ends_tag_name(xml[after])) continue;
    size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) return std::nullopt;
    bool empty = xml[gt - 1] == '/';
    std::string_view attributes = xml.substr(after, gt - after - (empty ? 1 : 0));
    if (empty) return XmlElement{attributes, std::string_view(), gt + 1};
    std::string close = "</" + std::string(tag) + ">";
    size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) return std::nullopt;
    return XmlElement{attributes, xml.substr(gt + 1, end - gt - 1), end + close.size()};
  }
  return std::nullopt;
}

std::string xml_unescape(std::string_view text) { return storage::xml_unescape(text); }

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

Result<BlobListPage> parse_list_blobs(std::string_view xml) {
  auto root = find_element(xml, "EnumerationResults");
  if (!root) {
    return errorf(ErrorCode::kInvalidArgument,
                  "List Blobs response is not an EnumerationResults document: '{}'", xml.substr(0, 200));
  }
  BlobListPage page;
  std::string_view body = root->content;
  if (auto blobs = find_element(body, "Blobs")) {
    for (auto blob = find_element(blobs->content, "Blob"); blob;
         blob = find_element(blobs->content, "Blob", blob->end)) {
      if (auto name = element_name(blob->content)) page.blobs.push_back(std::move(*name));
    }
    for (auto prefix = find_element(blobs->content, "BlobPrefix"); prefix;
         prefix = find_element(blobs->content, "BlobPrefix", prefix->end)) {
      if (auto name = element_name(prefix->content)) page.prefixes.push_back(std::move(*name));
    }
  }
  // NextMarker follows </Blobs>; searching after it avoids a blob named "<NextMarker>" (escaped
  // anyway) and keeps the scan linear.
  size_t after_blobs = 0;
  if (auto blobs = find_element(body, "Blobs")) after_blobs = blobs->end;
  if (auto marker = find_element(body, "NextMarker", after_blobs))
    page.next_marker = xml_unescape(marker->content);
  return page;
}

ErrorBody parse_error_body(std::string_view xml) {
  ErrorBody out;
  auto root = find_element(xml, "Error");
  std::string_view body = root ? root->content : xml;
  if (auto code = find_element(body, "Code")) out.code = xml_unescape(code->content);
  if (auto message = find_element(body, "Message")) {
    out.message = xml_unescape(message->content);
    size_t eol = out.message.find_first_of("\r\n");
    if (eol != std::string::npos) out.message.resize(eol);
  }
  return out;
}

std::string block_list_xml(const std::vector<std::string>& block_ids) {
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
  for (const auto& id : block_ids) out += "<Latest>" + xml_escape(id) + "</Latest>";
  return out + "</BlockList>";
}

}  // namespace astacus::storage::azure
