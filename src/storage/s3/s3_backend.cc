#include "storage/s3/s3_backend.h"

#include <algorithm>

#include <fmt/format.h>

#include "storage/s3/multipart.h"
#include "storage/s3/object_stream.h"
#include "storage/s3/s3_call.h"
#include "storage/s3/s3_client.h"
#include "storage/s3/s3_config.h"
#include "storage/s3/s3_xml.h"

namespace astacus::storage {

namespace {

constexpr std::string_view kMetaPrefix = "x-amz-meta-";

bool is_token_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

class S3Backend : public Backend {
 public:
  S3Backend(s3::S3Settings settings, const S3BackendOptions& options)
      : part_size_(options.part_size.value_or(settings.part_size)),
        upload_threads_(std::max(1, options.upload_threads)),
        list_page_size_(std::max(1, options.list_page_size)),
        retry_(options.retry),
        client_(std::move(settings), std::max<size_t>(options.max_idle_connections, upload_threads_)) {}

  Status put(const std::string& key, std::string_view data, const Metadata& metadata) override {
    std::string full = ASTACUS_TRY(full_key(key));
    s3::Headers headers = ASTACUS_TRY(object_headers(key, metadata));
    if (static_cast<int64_t>(data.size()) > part_size_) {
      return s3::multipart_put(client_, retry_, full, data, headers, part_size_, upload_threads_);
    }
    ASTACUS_TRY(s3::call(client_, retry_, s3::Request{"PUT", full, {}, headers, data}));
    return ok();
  }

  // S3 has no batching (put_batched == put): `batched` changes nothing.
  Result<std::unique_ptr<ObjectWriter>> open_writer(const std::string& key, const Metadata& metadata,
                                                    bool /*batched*/) override {
    std::string full = ASTACUS_TRY(full_key(key));
    s3::Headers headers = ASTACUS_TRY(object_headers(key, metadata));
    return s3::make_streaming_writer(client_, retry_, std::move(full), std::move(headers),
                                     s3::StreamingLimits{part_size_, upload_threads_, s3::kMaxParts});
  }

  Result<std::unique_ptr<ObjectReader>> open_reader(const std::string& key) override {
    std::string full = ASTACUS_TRY(full_key(key));
    s3::Response head = ASTACUS_TRY(s3::call(client_, retry_, s3::Request{"HEAD", full, {}, {}, {}}));
    return s3::make_range_reader(client_, retry_, std::move(full), head, metadata_from(head.headers), part_size_);
  }

  Result<StoredObject> get(const std::string& key) override {
    std::string full = ASTACUS_TRY(full_key(key));
    s3::Response response = ASTACUS_TRY(s3::call(client_, retry_, s3::Request{"GET", full, {}, {}, {}}));
    return StoredObject{std::move(response.body), metadata_from(response.headers)};
  }

  Result<std::string> get_range(const std::string& key, uint64_t offset, uint64_t length) override {
    if (length == 0) return std::string();
    std::string full = ASTACUS_TRY(full_key(key));
    s3::Headers headers = {{"range", fmt::format("bytes={}-{}", offset, offset + length - 1)}};
    s3::Response response = ASTACUS_TRY(s3::call(client_, retry_, s3::Request{"GET", full, {}, headers, {}}));
    ASTACUS_CHECK(check_range_length(full, offset, length, response.body.size()));
    return std::move(response.body);
  }

  Result<bool> exists(const std::string& key) override {
    std::string full = ASTACUS_TRY(full_key(key));
    auto response = s3::call(client_, retry_, s3::Request{"HEAD", full, {}, {}, {}});
    if (!response && response.error().code == ErrorCode::kNotFound) return false;
    if (!response) return make_error(response.error());
    return true;
  }

  // rohmu semantics: NotFound when absent, found out by a HEAD first (S3's DELETE always says 204).
  Status remove(const std::string& key) override {
    std::string full = ASTACUS_TRY(full_key(key));
    bool found = ASTACUS_TRY(exists(key));
    if (!found) return errorf(ErrorCode::kNotFound, "{}: object '{}' not found", describe(), full);
    ASTACUS_TRY(s3::call(client_, retry_, s3::Request{"DELETE", full, {}, {}, {}}));
    return ok();
  }

  Result<std::vector<std::string>> list(const std::string& dir) override {
    std::string base = s3::object_key(client_.settings().prefix, dir);
    std::string prefix = base.empty() ? "" : base + "/";
    std::vector<std::string> names;
    std::string token;
    do {
      s3::QueryParams query = {{"list-type", "2"}, {"delimiter", "/"}, {"max-keys", std::to_string(list_page_size_)}};
      if (!prefix.empty()) query.emplace_back("prefix", prefix);
      if (!token.empty()) query.emplace_back("continuation-token", token);
      s3::Response response = ASTACUS_TRY(s3::call(client_, retry_, s3::Request{"GET", "", query, {}, {}}));
      auto page = s3::parse_list_page(response.body);
      if (!page) return make_error(page.error().with_context(fmt::format("{}: listing '{}'", describe(), prefix)));
      for (const auto& k : page->keys) {
        if (!k.starts_with(prefix)) continue;
        std::string name = k.substr(prefix.size());
        if (!name.empty() && name.find('/') == std::string::npos) names.push_back(std::move(name));
      }
      token = page->truncated ? page->next_token : "";
    } while (!token.empty());
    return names;
  }

  std::string describe() const override { return client_.describe(); }

 private:
  Result<std::string> full_key(const std::string& key) const {
    std::string full = s3::object_key(client_.settings().prefix, key);
    if (full.empty() || s3::object_key("", key).empty()) {
      return errorf(ErrorCode::kInvalidArgument, "{}: empty object key '{}'", describe(), key);
    }
    return full;
  }

  // The headers of a new object: its metadata, and server-side encryption when configured.
  Result<s3::Headers> object_headers(const std::string& key, const Metadata& metadata) const {
    s3::Headers headers = ASTACUS_TRY(metadata_headers(key, metadata));
    if (client_.settings().server_side_encryption) headers.emplace_back("x-amz-server-side-encryption", "AES256");
    return headers;
  }

  // S3 lower-cases metadata names; lower-casing here makes a round trip exact. Values must be
  // printable ASCII without surrounding blanks, which S3 would otherwise mangle.
  Result<s3::Headers> metadata_headers(const std::string& key, const Metadata& metadata) const {
    s3::Headers headers;
    for (const auto& [name, value] : metadata) {
      std::string lname = lower(name);
      bool name_ok = !lname.empty() && std::all_of(lname.begin(), lname.end(), is_token_char);
      bool value_ok = std::all_of(value.begin(), value.end(), [](unsigned char c) { return c >= 0x20 && c < 0x7F; }) &&
                      (value.empty() || (value.front() != ' ' && value.back() != ' '));
      if (!name_ok || !value_ok) {
        return errorf(ErrorCode::kInvalidArgument,
                      "{}: object '{}': metadata '{}' cannot be stored as an S3 header (names: [a-z0-9-_.], "
                      "values: printable ASCII)",
                      describe(), key, name);
      }
      std::string header = std::string(kMetaPrefix) + lname;
      bool duplicate = std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return h.first == header; });
      if (duplicate) {
        return errorf(ErrorCode::kInvalidArgument, "{}: object '{}': metadata '{}' given twice (S3 ignores case)",
                      describe(), key, name);
      }
      headers.emplace_back(std::move(header), value);
    }
    return headers;
  }

  static Metadata metadata_from(const s3::Headers& headers) {
    Metadata md;
    for (const auto& [name, value] : headers) {
      if (name.starts_with(kMetaPrefix) && name.size() > kMetaPrefix.size()) {
        md.emplace_back(name.substr(kMetaPrefix.size()), value);
      }
    }
    return md;
  }

  int64_t part_size_;
  int upload_threads_;
  int list_page_size_;
  s3::RetryPolicy retry_;
  s3::Client client_;
};

}  // namespace

Result<std::unique_ptr<Backend>> make_s3_backend(const std::string& site, const config::S3StorageConfig& config) {
  return make_s3_backend(site, config, S3BackendOptions{});
}

Result<std::unique_ptr<Backend>> make_s3_backend(const std::string& site, const config::S3StorageConfig& config,
                                                  const S3BackendOptions& options) {
  s3::S3Settings settings = ASTACUS_TRY(s3::resolve_settings(site, config));
  return std::unique_ptr<Backend>(std::make_unique<S3Backend>(std::move(settings), options));
}

}  // namespace astacus::storage
