#include "storage/azure/azure_backend.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>

#include "base/encoding.h"
#include "base/parallel.h"
#include "storage/azure/azure_names.h"
#include "storage/azure/azure_stream.h"
#include "storage/azure/azure_xml.h"

namespace astacus::storage {

namespace {

constexpr std::string_view kMetaPrefix = "x-ms-meta-";

bool is_identifier(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// x-ms-meta-<name with '-' → '_'> headers; InvalidArgument for names Azure cannot store or
// values that cannot travel in a header.
Result<azure::Pairs> metadata_headers(const std::string& key, const Metadata& metadata) {
  azure::Pairs out;
  for (const auto& [name, value] : metadata) {
    std::string stored = name;
    std::replace(stored.begin(), stored.end(), '-', '_');
    if (!is_identifier(stored)) {
      return errorf(ErrorCode::kInvalidArgument,
                    "object '{}': metadata name '{}' cannot be stored in Azure (letters, digits, '-', '_')",
                    key, name);
    }
    if (std::any_of(value.begin(), value.end(), [](unsigned char c) { return c < 0x20 || c == 0x7F; })) {
      return errorf(ErrorCode::kInvalidArgument, "object '{}': metadata '{}' has a control character", key,
                    name);
    }
    out.emplace_back(std::string(kMetaPrefix) + stored, value);
  }
  return out;
}

Metadata metadata_from_headers(const azure::Pairs& headers) {
  Metadata out;
  for (const auto& [name, value] : headers) {
    if (name.size() <= kMetaPrefix.size()) continue;
    std::string head = name.substr(0, kMetaPrefix.size());
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    if (head != kMetaPrefix) continue;
    std::string md = name.substr(kMetaPrefix.size());
    std::replace(md.begin(), md.end(), '_', '-');
    out.emplace_back(std::move(md), value);
  }
  return out;
}

}  // namespace

AzureBackend::AzureBackend(std::string site, const std::string& prefix, azure::ClientOptions client,
                           AzureBackendOptions options)
    : site_(std::move(site)),
      prefix_(azure::normalize_prefix(prefix)),
      client_(std::move(client)),
      options_(std::move(options)) {}

std::string AzureBackend::describe() const {
  std::string under = prefix_.empty() ? "" : fmt::format(" prefix '{}'", prefix_);
  return fmt::format("azure container '{}'{} at {} (site '{}')", client_.options().container, under,
                     client_.options().endpoint.url(), site_);
}

std::string AzureBackend::blob_name(const std::string& key) const { return azure::blob_name(prefix_, key); }

Result<std::string> AzureBackend::checked_blob_name(const std::string& key) const {
  std::string blob = blob_name(key);
  if (blob.empty())
    return errorf(ErrorCode::kInvalidArgument, "empty object key '{}' in {}", key, describe());
  return blob;
}

Status AzureBackend::put(const std::string& key, std::string_view data, const Metadata& metadata) {
  std::string blob = ASTACUS_TRY(checked_blob_name(key));
  azure::Pairs meta = ASTACUS_TRY(metadata_headers(key, metadata));
  if (data.size() > options_.single_put_limit) return put_blocks(blob, data, meta);
  return azure::put_blob(client_, blob, data, meta);
}

size_t AzureBackend::block_limit() const { return std::clamp<size_t>(options_.max_blocks, 1, azure::kMaxBlocks); }

Status AzureBackend::put_blocks(const std::string& blob, std::string_view data, const azure::Pairs& meta) {
  size_t max_blocks = block_limit();
  size_t block_size = std::max({options_.block_size, (data.size() + max_blocks - 1) / max_blocks, size_t{1}});
  size_t count = (data.size() + block_size - 1) / block_size;
  std::vector<std::string> ids = azure::BlockIds().first(count);
  std::mutex mutex;
  std::optional<Error> first_error;
  std::atomic<bool> failed{false};
  parallel_for(count, options_.block_threads, [&](size_t i) {
    if (failed) return;
    Status sent = azure::put_block(client_, blob, ids[i], data.substr(i * block_size, block_size));
    if (sent) return;
    std::lock_guard lock(mutex);
    if (!first_error) first_error = sent.error().with_context(fmt::format("block {} of {}", i + 1, count));
    failed = true;
  });
  if (first_error) return make_error(std::move(*first_error));
  return azure::put_block_list(client_, blob, ids, meta);
}

Result<std::unique_ptr<ObjectWriter>> AzureBackend::open_writer(const std::string& key, const Metadata& metadata,
                                                                bool /*batched*/) {
  std::string blob = ASTACUS_TRY(checked_blob_name(key));
  azure::Pairs meta = ASTACUS_TRY(metadata_headers(key, metadata));
  azure::StreamLimits limits{options_.single_put_limit, options_.block_size, options_.block_threads,
                             block_limit()};
  return azure::make_block_writer(client_, std::move(blob), std::move(meta), limits);
}

Result<std::unique_ptr<ObjectReader>> AzureBackend::open_reader(const std::string& key) {
  std::string blob = ASTACUS_TRY(checked_blob_name(key));
  azure::Response properties = ASTACUS_TRY(client_.call({"Get Blob Properties", "HEAD", blob, {}, {}, {}}));
  Metadata metadata = metadata_from_headers(properties.headers);
  return azure::make_range_reader(client_, std::move(blob), properties, std::move(metadata), options_.block_size);
}

Result<StoredObject> AzureBackend::get(const std::string& key) {
  std::string blob = ASTACUS_TRY(checked_blob_name(key));
  azure::Response response = ASTACUS_TRY(client_.call({"Get Blob", "GET", blob, {}, {}, {}}));
  return StoredObject{std::move(response.body), metadata_from_headers(response.headers)};
}

Result<std::string> AzureBackend::get_range(const std::string& key, uint64_t offset, uint64_t length) {
  if (length == 0) return std::string();
  std::string blob = ASTACUS_TRY(checked_blob_name(key));
  std::string range = fmt::format("bytes={}-{}", offset, offset + length - 1);
  azure::Response response = ASTACUS_TRY(client_.call({"Get Blob", "GET", blob, {}, {{"x-ms-range", range}}, {}}));
  ASTACUS_CHECK(check_range_length(blob, offset, length, response.body.size()));
  return std::move(response.body);
}

Result<bool> AzureBackend::exists(const std::string& key) {
  std::string blob = ASTACUS_TRY(checked_blob_name(key));
  auto response = client_.call({"Get Blob Properties", "HEAD", blob, {}, {}, {}});
  if (response) return true;
  if (response.error().code == ErrorCode::kNotFound) return false;
  return make_error(std::move(response).error());
}

Status AzureBackend::remove(const std::string& key) {
  std::string blob = ASTACUS_TRY(checked_blob_name(key));
  ASTACUS_CHECK(client_.call({"Delete Blob", "DELETE", blob, {}, {}, {}}));
  return ok();
}

Result<std::vector<std::string>> AzureBackend::list(const std::string& dir) {
  std::string prefix = azure::list_prefix(prefix_, dir);
  std::vector<std::string> names;
  std::string marker;
  do {
    azure::Request request{"List Blobs", "GET", "", {{"restype", "container"}, {"comp", "list"}}, {}, {}};
    if (!prefix.empty()) request.query.emplace_back("prefix", prefix);
    request.query.emplace_back("delimiter", "/");
    if (options_.list_page_size > 0)
      request.query.emplace_back("maxresults", std::to_string(options_.list_page_size));
    if (!marker.empty()) request.query.emplace_back("marker", marker);
    azure::Response response = ASTACUS_TRY(client_.call(request));
    auto page = azure::parse_list_blobs(response.body);
    if (!page)
      return make_error(page.error().with_context(fmt::format("listing '{}' in {}", prefix, describe())));
    for (const auto& name : page->blobs) {
      if (!name.starts_with(prefix)) {
        return errorf(ErrorCode::kInternal, "listing '{}' in {} returned blob '{}' outside that prefix",
                      prefix, describe(), name);
      }
      std::string base = name.substr(prefix.size());
      if (!base.empty() && base.find('/') == std::string::npos) names.push_back(std::move(base));
    }
    marker = page->next_marker;
  } while (!marker.empty());
  return names;
}

Result<std::unique_ptr<AzureBackend>> make_azure_backend(const std::string& site,
                                                         const config::AzureStorageConfig& config,
                                                         const AzureBackendOptions& options) {
  auto key_error = [&](std::string_view key, std::string_view what) {
    return errorf(ErrorCode::kInvalidArgument, "object_storage.storages.{}.{}: {}", site, key, what);
  };
  if (config.account_name.empty()) return key_error("account_name", "required");
  if (config.bucket_name.empty()) return key_error("bucket_name", "required (the Azure container)");
  azure::ClientOptions client;
  client.site = site;
  client.account = config.account_name;
  client.container = config.bucket_name;
  client.endpoint = azure::endpoint_of(config);
  client.proxy = config.proxy_info;
  client.connect_timeout = options.connect_timeout;
  client.read_timeout = options.read_timeout;
  client.retry = options.retry;
  if (config.account_key && !config.account_key->empty()) {
    auto key = base64_decode(*config.account_key);
    if (!key || key->empty()) return key_error("account_key", "not a base64-encoded storage account key");
    client.account_key = std::move(*key);
  } else if (config.sas_token && !config.sas_token->empty()) {
    client.sas_token = *config.sas_token;
  } else {
    return key_error("account_key", "account_key or sas_token is required");
  }
  return std::make_unique<AzureBackend>(site, config.prefix, std::move(client), options);
}

Result<std::unique_ptr<Backend>> make_azure_backend(const std::string& site,
                                                    const config::AzureStorageConfig& config) {
  auto backend = make_azure_backend(site, config, AzureBackendOptions{});
  if (!backend) return make_error(std::move(backend).error());
  return std::unique_ptr<Backend>(std::move(*backend));
}

}  // namespace astacus::storage
