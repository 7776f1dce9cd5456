#include "storage/local/local_backend.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <future>
#include <set>
#include <unordered_map>

#include "base/files.h"
#include "base/paths.h"
#include "base/writeback.h"
#include "codec/sha256.h"
#include "storage/local/file_ops.h"
#include "storage/local/half_seen.h"
#include "storage/local/sidecar.h"

namespace astacus::storage {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSidecarSuffix = ".metadata";
constexpr std::string_view kSidecarTmpMarker = ".metadata_tmp";
constexpr std::string_view kTempDirName = ".astacus-tmp";  // hidden: never listed as an object
constexpr size_t kTempDirs = 16;

std::string_view strip_slashes(std::string_view s) {
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

// rohmu's listing filter: such names are temp files, sidecars or hidden, never objects.
bool is_reserved_name(std::string_view name) {
  return name.empty() || name.front() == '.' || name.ends_with(kSidecarSuffix) ||
         name.find(kSidecarTmpMarker) != std::string_view::npos;
}

fs::path with_suffix(const fs::path& path, std::string_view suffix) {
  fs::path out = path;
  out += std::string(suffix);
  return out;
}

}  // namespace

LocalBackend::LocalBackend(fs::path directory, std::string prefix, BatchLimits limits)
    : root_(std::move(directory)), limits_(limits) {
  std::string_view stripped = strip_slashes(prefix);
  if (stripped.empty()) return;
  auto confined = confine(root_, stripped);
  if (confined) {
    root_ = *confined;
  } else {
    config_error_ = confined.error().with_context(fmt::format("local storage prefix '{}'", prefix));
  }
}

std::string LocalBackend::describe() const { return fmt::format("local directory '{}'", root_.string()); }

Result<fs::path> LocalBackend::object_path(const std::string& key) const {
  if (config_error_) return make_error(*config_error_);
  std::string_view rel = strip_slashes(key);
  auto path = confine(root_, rel);
  if (!path) return make_error(path.error().with_context(fmt::format("object key '{}'", key)));
  std::string_view base = rel.substr(rel.rfind('/') + 1);
  if (is_reserved_name(base)) {
    return errorf(ErrorCode::kInvalidArgument,
                  "object key '{}': names starting with '.' or containing '.metadata' are reserved", key);
  }
  return *path;
}

std::mutex& LocalBackend::key_mutex(const fs::path& path) {
  return key_mutexes_[std::hash<std::string>{}(path.native()) % key_mutexes_.size()];
}

Result<LocalBackend::TempObject> LocalBackend::plan_temps(const std::string& key, const Metadata& metadata,
                                                         bool batched) {
  fs::path path = ASTACUS_TRY(object_path(key));
  for (const auto& [k, v] : metadata) {
    if (k == "_hash")
      return errorf(ErrorCode::kInvalidArgument, "object '{}': metadata key '_hash' is reserved", key);
  }
  // Bad metadata (not UTF-8) fails here, before any byte is written.
  ASTACUS_CHECK(local::format_sidecar(metadata, ""));
  return TempObject{path.string(), std::stoull(random_hex(16), nullptr, 16), batched};
}

std::string LocalBackend::temp_dir(const TempObject& object) const {
  fs::path path(object.path);
  if (!object.batched) return path.parent_path().string();
  // Batched temps go to one of several hidden sibling directories: creating files in one
  // directory serialises on its lock, and with many upload threads that lock (not the disk)
  // bounded backups of small files (perf: 20 % of a node's CPU spun on data/'s i_rwsem).
  // Directories are created when a create or rename finds them missing (local/file_ops).
  std::string base = path.filename().string();
  return (root_ / kTempDirName / std::to_string(std::hash<std::string>{}(base) % kTempDirs)).string();
}

std::string LocalBackend::data_tmp(const TempObject& object) const {
  std::string base = fs::path(object.path).filename().string();
  return fmt::format("{}/.{}.{:016x}.tmp", temp_dir(object), base, object.token);
}

std::string LocalBackend::sidecar_tmp(const TempObject& object) const {
  std::string base = fs::path(object.path).filename().string();
  return fmt::format("{}/{}{:016x}{}", temp_dir(object), base, object.token, kSidecarTmpMarker);
}

void LocalBackend::remove_temps(const TempObject& object, std::string_view why) const {
  ignore_error(local::unlink_if_exists(data_tmp(object)), why);
  ignore_error(local::unlink_if_exists(sidecar_tmp(object)), why);
}

// Writes the data temp as bytes arrive (hashing them for the sidecar); commit() adds the
// sidecar temp and publishes the object, or hands it to the next flush() when batched.
class LocalBackend::Writer final : public ObjectWriter {
 public:
  Writer(LocalBackend& backend, TempObject temps, Metadata metadata, int fd)
      : backend_(backend),
        temps_(std::move(temps)),
        data_tmp_(backend.data_tmp(temps_)),
        metadata_(std::move(metadata)),
        batched_(temps_.batched),
        fd_(fd) {}

  ~Writer() override {
    if (fd_ >= 0) ::close(fd_);
    if (!handed_over_) backend_.remove_temps(temps_, "uncommitted: never visible");
  }

  Status write(std::string_view bytes) override {
    if (fd_ < 0) return errorf(ErrorCode::kInternal, "write to '{}' after commit", temps_.path);
    ASTACUS_CHECK(local::write_all(fd_, bytes, data_tmp_));
    writeback_.wrote(fd_, bytes.size());
    sha256_.update(bytes);
    size_ += bytes.size();
    return ok();
  }

  Status commit() override {
    if (fd_ < 0) return errorf(ErrorCode::kInternal, "object '{}' committed twice", temps_.path);
    ASTACUS_CHECK(local::close_file(std::exchange(fd_, -1), data_tmp_, !batched_));
    std::string sidecar = ASTACUS_TRY(local::format_sidecar(metadata_, sha256_.finish_hex()));
    ASTACUS_CHECK(local::write_new_file(backend_.sidecar_tmp(temps_), sidecar, !batched_));
    handed_over_ = true;  // from here the backend owns the temps (publish or pending cleans up)
    if (batched_) return backend_.add_pending(temps_, size_);
    backend_.drop_pending(temps_.path);  // this newer put wins over a batched one of the same key
    ASTACUS_CHECK(backend_.publish(temps_));
    return local::sync_directory(fs::path(temps_.path).parent_path());
  }

 private:
  LocalBackend& backend_;
  TempObject temps_;
  std::string data_tmp_;
  Metadata metadata_;
  bool batched_;
  int fd_;
  codec::Sha256Hasher sha256_;
  EarlyWriteback writeback_;  // a big blob is mostly on disk when its fsync or syncfs comes
  uint64_t size_ = 0;
  bool handed_over_ = false;
};

Result<std::unique_ptr<ObjectWriter>> LocalBackend::open_writer(const std::string& key, const Metadata& metadata,
                                                                bool batched) {
  TempObject temps = ASTACUS_TRY(plan_temps(key, metadata, batched));
  int fd = ASTACUS_TRY(local::create_new_file(data_tmp(temps)));
  return std::make_unique<Writer>(*this, std::move(temps), metadata, fd);
}

Status LocalBackend::put_object(const std::string& key, std::string_view data, const Metadata& metadata,
                                bool batched) {
  auto writer = ASTACUS_TRY(open_writer(key, metadata, batched));
  ASTACUS_CHECK(writer->write(data));
  return writer->commit();
}

Status LocalBackend::publish(const TempObject& object) {
  std::lock_guard lock(key_mutex(object.path));
  Status st = object.batched ? ok() : local::unlink_if_exists(with_suffix(object.path, kSidecarSuffix));
  if (st) st = local::rename_file(data_tmp(object), object.path);
  if (st) st = local::rename_file(sidecar_tmp(object), with_suffix(object.path, kSidecarSuffix));
  if (!st) remove_temps(object, "best-effort cleanup; the original error matters");
  return st;
}

Status LocalBackend::put(const std::string& key, std::string_view data, const Metadata& metadata) {
  return put_object(key, data, metadata, false);
}

Status LocalBackend::put_batched(const std::string& key, std::string_view data, const Metadata& metadata) {
  return put_object(key, data, metadata, true);
}

Status LocalBackend::add_pending(const TempObject& object, uint64_t bytes) {
  Batch full;
  {
    std::lock_guard lock(pending_mutex_);
    auto [it, inserted] = pending_.try_emplace(object.path, object.token);
    if (!inserted) {
      remove_temps(pending_object(*it), "replaced by a newer put");
      it->second = object.token;
    }
    pending_bytes_ += bytes;
    bool full_batch = pending_.size() >= limits_.objects || pending_bytes_ >= limits_.bytes;
    bool eager = !publishing_.load() && (pending_.size() >= limits_.eager_objects || pending_bytes_ >= limits_.eager_bytes);
    if (!full_batch && !eager) return ok();
    full = take_pending_locked();
  }
  return publish_in_background(std::move(full));
}

LocalBackend::Batch LocalBackend::take_pending_locked() {
  Batch batch = std::move(pending_);
  pending_.clear();
  pending_bytes_ = 0;
  return batch;
}

// Uploads go on while a full batch is synced and renamed: publishing it inline held every
// upload thread for ~1 s per 20,000 small objects (40 % of a small-file upload's wall time).
Status LocalBackend::publish_in_background(Batch batch) {
  std::lock_guard lock(background_mutex_);
  Status previous = wait_for_background_locked();  // one batch in flight: bounds the temps
  publishing_ = true;
  background_ = std::async(std::launch::async, [this, b = std::move(batch)] {
    Status published = publish_batch(b);
    publishing_ = false;
    return published;
  });
  return previous;
}

Status LocalBackend::wait_for_background_locked() {
  if (!background_.valid()) return ok();
  return background_.get();
}

Status LocalBackend::flush() {
  Batch batch;
  {
    std::lock_guard lock(pending_mutex_);
    batch = take_pending_locked();
  }
  std::lock_guard lock(background_mutex_);
  Status earlier = wait_for_background_locked();  // older batch first: a newer put of a key wins
  Status now = publish_batch(batch);
  return earlier ? now : earlier;
}

Status LocalBackend::publish_batch(const Batch& batch) {
  if (batch.empty()) return ok();
  Status synced = sync_filesystem(root_);
  std::set<fs::path> dirs;
  std::optional<Error> first_error;
  for (const auto& entry : batch) {
    TempObject object = pending_object(entry);
    Status st = synced ? publish(object) : synced;
    if (!synced) remove_temps(object, "never made durable");
    if (!st && !first_error) first_error = st.error();
    dirs.insert(fs::path(entry.first).parent_path());
  }
  for (const auto& dir : dirs) {
    Status st = local::sync_directory(dir);
    if (!st && !first_error) first_error = st.error();
  }
  if (first_error) return make_error(first_error->with_context(fmt::format("flushing {} objects to {}", batch.size(), describe())));
  return ok();
}

bool LocalBackend::drop_pending(const fs::path& path) {
  std::lock_guard lock(pending_mutex_);
  auto it = pending_.find(path.string());
  if (it == pending_.end()) return false;
  remove_temps(pending_object(*it), "superseded");
  pending_.erase(it);
  return true;
}

LocalBackend::~LocalBackend() {
  {
    std::lock_guard lock(background_mutex_);
    ignore_error(wait_for_background_locked(), "nobody is left to report it to");
  }
  for (const auto& entry : pending_) remove_temps(pending_object(entry), "unflushed batch: never visible");
}

Result<StoredObject> LocalBackend::read_once(const std::string& key, const fs::path& path,
                                             bool& hash_mismatch) {
  auto not_found = [&] {
    return errorf(ErrorCode::kNotFound, "object '{}' not found in {}", key, describe());
  };
  auto sidecar_text = read_file(with_suffix(path, kSidecarSuffix));
  if (!sidecar_text && sidecar_text.error().code == ErrorCode::kNotFound) return not_found();
  if (!sidecar_text) return make_error(sidecar_text.error());
  auto data = read_file(path);
  if (!data && data.error().code == ErrorCode::kNotFound) return not_found();
  if (!data) return make_error(data.error());
  auto sidecar = local::parse_sidecar(*sidecar_text);
  if (!sidecar)
    return make_error(sidecar.error().with_context(fmt::format("object '{}' in {}", key, describe())));
  hash_mismatch = !sidecar->hash.empty() && codec::sha256_hex(*data) != sidecar->hash;
  return StoredObject{std::move(*data), std::move(sidecar->metadata)};
}

// Reads the data file in pieces into one reused buffer, hashing them; the end of the file is
// only reported once the bytes matched the sidecar's SHA-256.
class LocalBackend::Reader final : public ObjectReader {
 public:
  Reader(int fd, local::Sidecar sidecar, std::string what) : fd_(fd), sidecar_(std::move(sidecar)), what_(std::move(what)) {}
  ~Reader() override { ::close(fd_); }

  const Metadata& metadata() const override { return sidecar_.metadata; }

  Result<std::string_view> read(size_t max) override {
    if (buffer_.size() < max) buffer_.resize(max);
    for (;;) {
      ssize_t n = ::read(fd_, buffer_.data(), max);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errorf(ErrorCode::kIoError, "cannot read {}: {}", what_, std::strerror(errno));
      std::string_view piece(buffer_.data(), static_cast<size_t>(n));
      if (n > 0) {
        sha256_.update(piece);
        return piece;
      }
      if (!sidecar_.hash.empty() && sha256_.finish_hex() != sidecar_.hash) {
        return errorf(ErrorCode::kCorruption, "{}: stored bytes do not match the SHA-256 in its sidecar", what_);
      }
      sidecar_.hash.clear();  // checked once; further reads just see the end
      return piece;
    }
  }

 private:
  int fd_;
  local::Sidecar sidecar_;
  std::string what_;
  codec::Sha256Hasher sha256_;
  std::string buffer_;
};

Result<std::unique_ptr<ObjectReader>> LocalBackend::open_reader(const std::string& key) {
  fs::path path = ASTACUS_TRY(object_path(key));
  std::string what = fmt::format("object '{}' in {}", key, describe());
  auto not_found = [&] { return errorf(ErrorCode::kNotFound, "object '{}' not found in {}", key, describe()); };
  auto sidecar_text = read_file(with_suffix(path, kSidecarSuffix));
  if (!sidecar_text && sidecar_text.error().code == ErrorCode::kNotFound) return not_found();
  if (!sidecar_text) return make_error(sidecar_text.error());
  auto sidecar = local::parse_sidecar(*sidecar_text);
  if (!sidecar) return make_error(sidecar.error().with_context(what));
  int fd = open_for_reading(path);
  if (fd < 0 && errno == ENOENT) return not_found();
  if (fd < 0) return errorf(ErrorCode::kIoError, "cannot open {}: {}", what, std::strerror(errno));
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::make_unique<Reader>(fd, std::move(*sidecar), std::move(what));
}

Result<StoredObject> LocalBackend::get(const std::string& key) {
  fs::path path = ASTACUS_TRY(object_path(key));
  // A mismatch can be a put() of the same key racing with this read: look once more.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool hash_mismatch = false;
    StoredObject object = ASTACUS_TRY(read_once(key, path, hash_mismatch));
    if (!hash_mismatch) return object;
  }
  return errorf(ErrorCode::kCorruption,
                "object '{}' in {}: stored bytes do not match the SHA-256 in its sidecar", key, describe());
}

Result<std::string> LocalBackend::get_range(const std::string& key, uint64_t offset, uint64_t length) {
  fs::path path = ASTACUS_TRY(object_path(key));
  int fd = open_for_reading(path);
  if (fd < 0 && errno == ENOENT) return errorf(ErrorCode::kNotFound, "object '{}' not found in {}", key, describe());
  if (fd < 0) return errorf(ErrorCode::kIoError, "cannot open object '{}' in {}: {}", key, describe(), std::strerror(errno));
  std::string out(length, '\0');
  size_t got = 0;
  while (got < length) {
    ssize_t n = ::pread(fd, out.data() + got, length - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      if (n == 0) return make_error(check_range_length(key, offset, length, got).error());
      return errorf(ErrorCode::kIoError, "cannot read object '{}' in {}: {}", key, describe(), std::strerror(err));
    }
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  return out;
}

Result<bool> LocalBackend::exists(const std::string& key) {
  fs::path path = ASTACUS_TRY(object_path(key));
  std::error_code ec;
  bool found = fs::is_regular_file(path, ec) && fs::is_regular_file(with_suffix(path, kSidecarSuffix), ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return errorf(ErrorCode::kIoError, "cannot stat object '{}' in {}: {}", key, describe(), ec.message());
  }
  return found;
}

Status LocalBackend::remove(const std::string& key) {
  fs::path path = ASTACUS_TRY(object_path(key));
  bool dropped = drop_pending(path);
  std::lock_guard lock(key_mutex(path));
  // The sidecar goes first: from that moment the object is absent, whatever happens next.
  ASTACUS_CHECK(local::unlink_if_exists(with_suffix(path, kSidecarSuffix)));
  bool removed = false;
  ASTACUS_CHECK(local::unlink_if_exists(path, &removed));
  ASTACUS_CHECK(local::unlink_if_exists(with_suffix(path, kSidecarTmpMarker)));
  if (!removed && !dropped) return errorf(ErrorCode::kNotFound, "object '{}' not found in {}", key, describe());
  return ok();
}

Result<std::vector<std::string>> LocalBackend::list(const std::string& dir) {
  std::vector<std::string> names;
  ASTACUS_CHECK(list_each(dir, [&](std::string_view name) { names.emplace_back(name); }));
  return names;
}

Status LocalBackend::list_each(const std::string& dir, const std::function<void(std::string_view)>& on_name) {
  if (config_error_) return make_error(*config_error_);
  std::string_view rel = strip_slashes(dir);
  fs::path path = root_;
  if (!rel.empty()) {
    auto confined = confine(root_, rel);
    if (!confined) return make_error(confined.error().with_context(fmt::format("listing '{}'", dir)));
    path = *confined;
  }
  // An object is visible once both its data file and its sidecar exist (rohmu writes the
  // sidecar last). The directory comes in hash order, so each name waits only until its other
  // half shows up (half_seen.h).
  local::HalfSeenNames waiting;
  Status listed = local::for_each_regular_file(path, [&](std::string_view name) {
    bool sidecar = name.ends_with(kSidecarSuffix);
    std::string_view object = sidecar ? name.substr(0, name.size() - kSidecarSuffix.size()) : name;
    if (is_reserved_name(object)) return;
    if (waiting.complete(object, sidecar)) on_name(object);
  });
  if (!listed) return errorf(ErrorCode::kIoError, "cannot list '{}' in {}: {}", dir, describe(), listed.error().message);
  return ok();
}

Result<size_t> LocalBackend::remove_stale_temps(std::chrono::seconds older_than) {
  if (config_error_) return make_error(*config_error_);
  const fs::path temps = root_ / kTempDirName;
  const auto cutoff = fs::file_time_type::clock::now() - older_than;
  size_t removed = 0;
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(temps, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code entry_ec;  // a temp that a live flush renames away meanwhile is not an error
    if (!it->is_regular_file(entry_ec) || it->last_write_time(entry_ec) > cutoff || entry_ec) continue;
    if (::unlink(it->path().c_str()) == 0) {
      ++removed;
    } else if (errno != ENOENT) {
      return errorf(ErrorCode::kIoError, "cannot remove stale temp file '{}': {}", it->path().string(),
                    std::strerror(errno));
    }
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return errorf(ErrorCode::kIoError, "cannot list temp files under '{}': {}", temps.string(), ec.message());
  }
  return removed;
}

}  // namespace astacus::storage
