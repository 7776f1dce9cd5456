#include "storage/azure/azure_upload.h"

#include <random>

#include <fmt/format.h>

#include "base/encoding.h"
#include "storage/azure/azure_xml.h"

namespace astacus::storage::azure {

BlockIds::BlockIds() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  nonce_ = fmt::format("{:016x}", rng());
}

std::string BlockIds::id(size_t index) const { return base64_encode(fmt::format("{}-{:06d}", nonce_, index)); }

std::vector<std::string> BlockIds::first(size_t count) const {
  std::vector<std::string> ids;
  ids.reserve(count);
  for (size_t i = 0; i < count; ++i) ids.push_back(id(i));
  return ids;
}

Status put_blob(const Client& client, const std::string& blob, std::string_view data, const Pairs& meta_headers) {
  Request request{"Put Blob", "PUT", blob, {}, meta_headers, data};
  request.headers.emplace_back("x-ms-blob-type", "BlockBlob");
  ASTACUS_CHECK(client.call(request));
  return ok();
}

Status put_block(const Client& client, const std::string& blob, const std::string& block_id, std::string_view data) {
  ASTACUS_CHECK(client.call({"Put Block", "PUT", blob, {{"comp", "block"}, {"blockid", block_id}}, {}, data}));
  return ok();
}

Status put_block_list(const Client& client, const std::string& blob, const std::vector<std::string>& block_ids,
                      const Pairs& meta_headers) {
  std::string body = block_list_xml(block_ids);
  Request request{"Put Block List", "PUT", blob, {{"comp", "blocklist"}}, meta_headers, body};
  request.headers.emplace_back("Content-Type", "application/xml");
  ASTACUS_CHECK(client.call(request));
  return ok();
}

}  // namespace astacus::storage::azure
