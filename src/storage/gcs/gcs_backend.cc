// GcsBackend: the Backend operations over the GCS JSON API, and its factory.
#include "storage/gcs/gcs_backend.h"

#include "storage/gcs/gcs_credentials.h"
#include "storage/gcs/gcs_names.h"
#include "storage/gcs/gcs_resources.h"
#include "storage/gcs/gcs_stream.h"
#include "storage/gcs/gcs_upload.h"

namespace astacus::storage {

namespace {

constexpr int kGetTries = 3;  // an object replaced between its metadata and media reads is re-read

Result<std::string> endpoint_of(const std::string& site, const config::GoogleStorageConfig& config) {
  if (!config.endpoint) return std::string(gcs::kDefaultEndpoint);
  std::string endpoint = *config.endpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  bool has_scheme = endpoint.starts_with("http://") || endpoint.starts_with("https://");
  if (!has_scheme || endpoint.find('/', endpoint.find("//") + 2) != std::string::npos) {
    return errorf(ErrorCode::kInvalidArgument,
                  "object_storage.storages.{}.endpoint: expected http(s)://host[:port], got '{}'", site,
                  *config.endpoint);
  }
  return endpoint;
}

}  // namespace

GcsBackend::GcsBackend(const std::string& prefix, gcs::Client client, GcsBackendOptions options)
    : prefix_(gcs::normalize_prefix(prefix)), client_(std::move(client)), options_(std::move(options)) {}

std::string GcsBackend::describe() const {
  std::string under = prefix_.empty() ? "" : fmt::format(" prefix '{}'", prefix_);
  return fmt::format("gcs bucket '{}'{} at {} (site '{}')", client_.options().bucket, under,
                     client_.options().endpoint, client_.options().site);
}

std::string GcsBackend::object_name(const std::string& key) const { return gcs::object_name(prefix_, key); }

Result<std::string> GcsBackend::checked_name(const std::string& key) const {
  std::string name = object_name(key);
  if (name.empty()) return errorf(ErrorCode::kInvalidArgument, "empty object key '{}' in {}", key, describe());
  return name;
}

Status GcsBackend::put(const std::string& key, std::string_view data, const Metadata& metadata) {
  std::string name = ASTACUS_TRY(checked_name(key));
  gcs::ResumableUpload upload(client_, name, data, metadata, options_.chunk_size);
  return upload.run();
}

Result<std::unique_ptr<ObjectWriter>> GcsBackend::open_writer(const std::string& key, const Metadata& metadata,
                                                              bool /*batched*/) {
  std::string name = ASTACUS_TRY(checked_name(key));
  ASTACUS_CHECK(gcs::upload_resource(name, metadata));  // metadata GCS cannot store fails before any byte
  return gcs::make_streaming_writer(client_, std::move(name), metadata, options_.chunk_size);
}

Result<std::unique_ptr<ObjectReader>> GcsBackend::open_reader(const std::string& key) {
  std::string name = ASTACUS_TRY(checked_name(key));
  gcs::ObjectResource object = ASTACUS_TRY(resource(name));
  return gcs::make_range_reader(client_, std::move(object), gcs::chunk_size_of(options_.chunk_size));
}

Result<gcs::ObjectResource> GcsBackend::resource(const std::string& name) const {
  gcs::HttpRequest request{"GET", client_.urls().object(name), {}, {}};
  gcs::HttpResponse response = ASTACUS_TRY(client_.call(request, client_.context("objects.get", name, true)));
  return gcs::parse_object(response.body);
}

Result<std::string> GcsBackend::media(const gcs::ObjectResource& object) const {
  gcs::HttpRequest request{"GET", client_.urls().media(object.name, object.generation), {}, {}};
  auto context = client_.context("objects.get (media)", object.name, true);
  gcs::HttpResponse response = ASTACUS_TRY(client_.call(request, context));
  bool crc_ok = object.crc32c.empty() || object.crc32c == gcs::crc32c_base64(response.body);
  if (response.body.size() != object.size || !crc_ok) {
    return errorf(ErrorCode::kCorruption,
                  "object_storage.storages.{}: GCS object '{}' generation {} downloaded as {} bytes, but its "
                  "resource says {} bytes with crc32c '{}'",
                  client_.options().site, object.name, object.generation, response.body.size(), object.size,
                  object.crc32c);
  }
  return std::move(response.body);
}

Result<StoredObject> GcsBackend::get(const std::string& key) {
  std::string name = ASTACUS_TRY(checked_name(key));
  for (int attempt = 1;; ++attempt) {
    gcs::ObjectResource object = ASTACUS_TRY(resource(name));
    auto data = media(object);
    if (data) return StoredObject{std::move(*data), std::move(object.metadata)};
    bool replaced = data.error().code == ErrorCode::kNotFound && !object.generation.empty();
    if (!replaced || attempt >= kGetTries) return make_error(std::move(data).error());
  }
}

Result<std::string> GcsBackend::get_range(const std::string& key, uint64_t offset, uint64_t length) {
  if (length == 0) return std::string();
  std::string name = ASTACUS_TRY(checked_name(key));
  gcs::HttpRequest request{"GET",
                           client_.urls().pinned_media(name, ""),
                           {{"Range", fmt::format("bytes={}-{}", offset, offset + length - 1)}},
                           {}};
  gcs::HttpResponse response = ASTACUS_TRY(client_.call(request, client_.context("objects.get (media range)", name, true)));
  ASTACUS_CHECK(check_range_length(name, offset, length, response.body.size()));
  return std::move(response.body);
}

Result<bool> GcsBackend::exists(const std::string& key) {
  std::string name = ASTACUS_TRY(checked_name(key));
  auto object = resource(name);
  if (object) return true;
  if (object.error().code == ErrorCode::kNotFound) return false;
  return make_error(std::move(object).error());
}

Status GcsBackend::remove(const std::string& key) {
  std::string name = ASTACUS_TRY(checked_name(key));
  gcs::HttpRequest request{"DELETE", client_.urls().object(name), {}, {}};
  ASTACUS_CHECK(client_.call(request, client_.context("objects.delete", name, true)));
  return ok();
}

Result<std::vector<std::string>> GcsBackend::list(const std::string& dir) {
  std::string prefix = gcs::list_prefix(prefix_, dir);
  auto context = client_.context("objects.list of '" + prefix + "'", "", false);
  std::vector<std::string> names;
  std::string token;
  do {
    gcs::HttpRequest request{"GET", client_.urls().list(prefix, token, options_.list_page_size), {}, {}};
    gcs::HttpResponse response = ASTACUS_TRY(client_.call(request, context));
    auto page = gcs::parse_list_page(response.body);
    if (!page) return make_error(page.error().with_context(fmt::format("listing '{}' in {}", prefix, describe())));
    for (const auto& name : page->names) {
      if (!name.starts_with(prefix)) {
        return errorf(ErrorCode::kInternal, "listing '{}' in {} returned object '{}' outside that prefix", prefix,
                      describe(), name);
      }
      std::string base = name.substr(prefix.size());
      if (!base.empty() && base.find('/') == std::string::npos) names.push_back(std::move(base));
    }
    token = page->next_page_token;
  } while (!token.empty());
  return names;
}

Result<std::unique_ptr<GcsBackend>> make_gcs_backend(const std::string& site,
                                                     const config::GoogleStorageConfig& config,
                                                     const GcsBackendOptions& options) {
  if (config.bucket_name.empty()) {
    return errorf(ErrorCode::kInvalidArgument, "object_storage.storages.{}.bucket_name: required for storage_type "
                  "'google'", site);
  }
  std::string endpoint = ASTACUS_TRY(endpoint_of(site, config));
  gcs::ServiceAccount account = ASTACUS_TRY(gcs::load_service_account(site, config));
  gcs::HttpSettings http{config.proxy_info, options.connect_timeout, options.read_timeout};
  auto tokens = std::make_shared<gcs::TokenSource>(site, std::move(account), http);
  gcs::Client client({site, endpoint, config.bucket_name, http, options.retry}, std::move(tokens));
  return std::make_unique<GcsBackend>(config.prefix, std::move(client), options);
}

Result<std::unique_ptr<Backend>> make_gcs_backend(const std::string& site,
                                                  const config::GoogleStorageConfig& config) {
  auto backend = make_gcs_backend(site, config, GcsBackendOptions{});
  if (!backend) return make_error(std::move(backend).error());
  return std::unique_ptr<Backend>(std::move(*backend));
}

}  // namespace astacus::storage
