#include "storage/traffic.h"

namespace astacus::storage {

namespace {

template <typename Json>
void write_json(Json& j, const Traffic& t) {
  j = Json{{"put_requests", t.put_requests},         {"get_requests", t.get_requests},
           {"list_requests", t.list_requests},       {"delete_requests", t.delete_requests},
           {"bytes_uploaded", t.bytes_uploaded},     {"bytes_downloaded", t.bytes_downloaded}};
}

int64_t int_field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

}  // namespace

Traffic& Traffic::operator+=(const Traffic& o) {
  put_requests += o.put_requests;
  get_requests += o.get_requests;
  list_requests += o.list_requests;
  delete_requests += o.delete_requests;
  bytes_uploaded += o.bytes_uploaded;
  bytes_downloaded += o.bytes_downloaded;
  return *this;
}

Traffic Traffic::operator-(const Traffic& b) const {
  return {put_requests - b.put_requests,       get_requests - b.get_requests,
          list_requests - b.list_requests,     delete_requests - b.delete_requests,
          bytes_uploaded - b.bytes_uploaded,   bytes_downloaded - b.bytes_downloaded};
}

bool Traffic::empty() const { return *this == Traffic{}; }

void to_json(nlohmann::json& j, const Traffic& t) { write_json(j, t); }
void to_json(nlohmann::ordered_json& j, const Traffic& t) { write_json(j, t); }

Traffic traffic_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return {};
  return {int_field(j, "put_requests"),  int_field(j, "get_requests"),
          int_field(j, "list_requests"), int_field(j, "delete_requests"),
          int_field(j, "bytes_uploaded"), int_field(j, "bytes_downloaded")};
}

CountingBackend::CountingBackend(std::unique_ptr<Backend> inner) : inner_(std::move(inner)) {}

Status CountingBackend::put(const std::string& key, std::string_view data, const Metadata& metadata) {
  ++puts_;
  up_ += static_cast<int64_t>(data.size());
  return inner_->put(key, data, metadata);
}

Status CountingBackend::put_batched(const std::string& key, std::string_view data,
                                    const Metadata& metadata) {
  ++puts_;
  up_ += static_cast<int64_t>(data.size());
  return inner_->put_batched(key, data, metadata);
}

class CountingBackend::CountingWriter final : public ObjectWriter {
 public:
  CountingWriter(std::unique_ptr<ObjectWriter> inner, CountingBackend& counts)
      : inner_(std::move(inner)), counts_(counts) {}
  Status write(std::string_view bytes) override {
    counts_.up_ += static_cast<int64_t>(bytes.size());
    return inner_->write(bytes);
  }
  Status commit() override {
    ++counts_.puts_;
    return inner_->commit();
  }

 private:
  std::unique_ptr<ObjectWriter> inner_;
  CountingBackend& counts_;
};

class CountingBackend::CountingReader final : public ObjectReader {
 public:
  CountingReader(std::unique_ptr<ObjectReader> inner, CountingBackend& counts)
      : inner_(std::move(inner)), counts_(counts) {}
  const Metadata& metadata() const override { return inner_->metadata(); }
  Result<std::string_view> read(size_t max) override {
    auto piece = inner_->read(max);
    if (piece) counts_.down_ += static_cast<int64_t>(piece->size());
    return piece;
  }

 private:
  std::unique_ptr<ObjectReader> inner_;
  CountingBackend& counts_;
};

Result<std::unique_ptr<ObjectWriter>> CountingBackend::open_writer(const std::string& key,
                                                                   const Metadata& metadata, bool batched) {
  auto inner = ASTACUS_TRY(inner_->open_writer(key, metadata, batched));
  return std::make_unique<CountingWriter>(std::move(inner), *this);
}

Result<std::unique_ptr<ObjectReader>> CountingBackend::open_reader(const std::string& key) {
  ++gets_;
  auto inner = ASTACUS_TRY(inner_->open_reader(key));
  return std::make_unique<CountingReader>(std::move(inner), *this);
}

Result<StoredObject> CountingBackend::get(const std::string& key) {
  ++gets_;
  auto object = inner_->get(key);
  if (object) down_ += static_cast<int64_t>(object->data.size());
  return object;
}

Result<std::string> CountingBackend::get_range(const std::string& key, uint64_t offset, uint64_t length) {
  ++gets_;
  auto bytes = inner_->get_range(key, offset, length);
  if (bytes) down_ += static_cast<int64_t>(bytes->size());
  return bytes;
}

Result<bool> CountingBackend::exists(const std::string& key) {
  ++gets_;
  return inner_->exists(key);
}

Status CountingBackend::remove(const std::string& key) {
  ++deletes_;
  return inner_->remove(key);
}

Result<std::vector<std::string>> CountingBackend::list(const std::string& dir) {
  ++lists_;
  return inner_->list(dir);
}

Status CountingBackend::list_each(const std::string& dir, const std::function<void(std::string_view)>& on_name) {
  ++lists_;
  return inner_->list_each(dir, on_name);
}

Traffic CountingBackend::traffic() const {
  return {puts_.load(), gets_.load(), lists_.load(), deletes_.load(), up_.load(), down_.load()};
}

void TrafficTally::add(const std::string& site, const Traffic& traffic) {
  if (traffic.empty()) return;
  std::lock_guard guard(mutex_);
  sites_[site] += traffic;
}

void TrafficTally::add_json(const nlohmann::json& per_site) {
  if (!per_site.is_object()) return;
  for (const auto& [site, traffic] : per_site.items()) add(site, traffic_from_json(traffic));
}

std::map<std::string, Traffic> TrafficTally::sites() const {
  std::lock_guard guard(mutex_);
  return sites_;
}

nlohmann::ordered_json TrafficTally::to_json() const {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [site, traffic] : sites()) out[site] = traffic;
  return out;
}

}  // namespace astacus::storage
