#include "storage/s3/multipart.h"

#include <openssl/evp.h>

#include <atomic>
#include <mutex>
#include <optional>

#include <spdlog/spdlog.h>

#include "base/encoding.h"
#include "base/parallel.h"
#include "storage/s3/s3_call.h"
#include "storage/s3/s3_config.h"
#include "storage/s3/s3_xml.h"

namespace astacus::storage::s3 {

namespace {

std::string md5(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

// Uploads every part; the first error stops the parts not yet started.
Result<std::vector<std::string>> upload_parts(const MultipartUpload& upload, std::string_view data,
                                              const PartPlan& plan, int threads) {
  std::vector<std::string> etags(plan.parts);
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::optional<Error> first_error;
  parallel_for(plan.parts, threads, [&](size_t i) {
    if (failed) return;
    size_t offset = i * static_cast<size_t>(plan.part_size);
    auto etag = upload.upload_part(i + 1, data.substr(offset, plan.part_size));
    if (etag) {
      etags[i] = std::move(*etag);
      return;
    }
    failed = true;
    std::lock_guard lock(mu);
    if (!first_error) first_error = etag.error();
  });
  if (first_error) return make_error(*first_error);
  return etags;
}

}  // namespace

struct Md5Hasher::Impl {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), EVP_MD_CTX_free};
};

Md5Hasher::Md5Hasher() : impl_(std::make_unique<Impl>()) { EVP_DigestInit_ex(impl_->ctx.get(), EVP_md5(), nullptr); }

Md5Hasher::~Md5Hasher() = default;

void Md5Hasher::update(std::string_view data) { EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size()); }

std::string Md5Hasher::finish_hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx.get(), digest, &len);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), len));
}

Result<MultipartUpload> MultipartUpload::start(Client& client, const RetryPolicy& policy, const std::string& key,
                                               const Headers& headers) {
  Request request{"POST", key, {{"uploads", ""}}, headers, {}};
  Response response = ASTACUS_TRY(call(client, policy, request));
  auto id = parse_upload_id(response.body);
  if (!id) return make_error(id.error().with_context(fmt::format("{}: POST '{}'", client.describe(), key)));
  return MultipartUpload(client, policy, key, std::move(*id));
}

Result<std::string> MultipartUpload::upload_part(size_t number, std::string_view body) const {
  Request request{"PUT", key_, {{"partNumber", std::to_string(number)}, {"uploadId", id_}}, {}, body};
  Response response = ASTACUS_TRY(call(*client_, policy_, request));
  const std::string* etag = response.header("etag");
  if (!etag || etag->empty()) {
    return errorf(ErrorCode::kUnavailable, "{}: part {} of '{}': response has no ETag", client_->describe(), number,
                  key_);
  }
  return *etag;
}

// Whether the key now holds exactly the uploaded object: its ETag is S3's multipart ETag (MD5 of
// the parts' MD5s, "-<parts>") or, for emulators, the MD5 of the whole object.
bool MultipartUpload::holds_upload(const std::vector<std::string>& etags,
                                   const std::function<std::string()>& whole_md5_hex) const {
  auto head = call(*client_, policy_, Request{"HEAD", key_, {}, {}, {}});
  const std::string* etag = head ? head->header("etag") : nullptr;
  if (!etag) return false;
  std::string stored = unquote(*etag);
  return stored == multipart_etag(etags) || stored == whole_md5_hex();
}

// CompleteMultipartUpload with retries. When an attempt's outcome is unknown (connection lost,
// 5xx) S3 may have completed the upload already and then refuses the retry (NoSuchUpload); the
// object then is checked by its ETag.
Status MultipartUpload::complete(const std::vector<std::string>& etags,
                                 const std::function<std::string()>& whole_md5_hex) const {
  std::string body = complete_multipart_body(etags);
  Request request{"POST", key_, {{"uploadId", id_}}, {{"content-type", "application/xml"}}, body};
  RetryPolicy single = policy_;
  single.max_attempts = 1;
  bool outcome_unknown = false;
  std::function<Result<Response>(Clock::time_point)> attempt = [&](Clock::time_point) -> Result<Response> {
    auto r = call(*client_, single, request);
    if (!r && r.error().retryable) outcome_unknown = true;
    return r;
  };
  auto log_retry = [&](const Error& error, int next) {
    spdlog::warn("{}; retrying (attempt {} of {})", error.message, next, policy_.max_attempts);
  };
  auto done = with_retries<Response>(policy_, attempt, log_retry);
  if (done) return ok();
  if (outcome_unknown && holds_upload(etags, whole_md5_hex)) {
    spdlog::info("{}: multipart upload of '{}' was completed by an attempt whose answer was lost",
                 client_->describe(), key_);
    return ok();
  }
  return make_error(done.error());
}

void MultipartUpload::abort() const {
  RetryPolicy once = policy_;
  once.max_attempts = 2;
  auto r = call(*client_, once, Request{"DELETE", key_, {{"uploadId", id_}}, {}, {}});
  if (!r) {
    spdlog::warn("aborting multipart upload {} failed (parts may linger until a lifecycle rule removes them): {}",
                 id_, r.error().message);
  }
}

std::string multipart_etag(const std::vector<std::string>& part_etags) {
  std::string part_md5s;
  for (const auto& e : part_etags) {
    auto raw = from_hex(unquote(e));
    if (!raw || raw->size() != 16) return "";
    part_md5s += *raw;
  }
  return fmt::format("{}-{}", to_hex(md5(part_md5s)), part_etags.size());
}

PartPlan plan_parts(uint64_t size, int64_t part_size) {
  auto psize = static_cast<uint64_t>(std::max<int64_t>(1, part_size));
  if ((size + psize - 1) / psize > static_cast<uint64_t>(kMaxParts)) psize = (size + kMaxParts - 1) / kMaxParts;
  return PartPlan{static_cast<int64_t>(psize), static_cast<size_t>((size + psize - 1) / psize)};
}

Status multipart_put(Client& client, const RetryPolicy& policy, const std::string& key, std::string_view data,
                     const Headers& headers, int64_t part_size, int threads) {
  PartPlan plan = plan_parts(data.size(), part_size);
  MultipartUpload upload = ASTACUS_TRY(MultipartUpload::start(client, policy, key, headers));
  auto etags = upload_parts(upload, data, plan, threads);
  if (!etags) {
    upload.abort();
    return make_error(etags.error());
  }
  // The whole object's MD5 is only needed when a Complete's answer was lost: computed then.
  auto done = upload.complete(*etags, [data] { return to_hex(md5(data)); });
  if (!done) {
    upload.abort();
    return make_error(done.error());
  }
  return ok();
}

}  // namespace astacus::storage::s3
