#include "snapshot/snapshot_db.h"

#include <sqlite3.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "base/files.h"

namespace astacus::snapshot::internal {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSchemaVersion = "1";
constexpr const char* kColumns = "relative_path, file_size, mtime_ns, inode, hexdigest, content_b64";

tl::unexpected<Error> db_error(sqlite3* db, const fs::path& path, std::string_view what) {
  int code = db ? sqlite3_errcode(db) : SQLITE_CANTOPEN;
  ErrorCode ec = (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) ? ErrorCode::kCorruption
                 : code == SQLITE_BUSY                               ? ErrorCode::kBusy
                                                                     : ErrorCode::kIoError;
  return errorf(ec, "snapshot DB '{}': {}: {}", path.string(), what,
                db ? sqlite3_errmsg(db) : "out of memory");
}

// A prepared statement, finalized on destruction.
class Stmt {
 public:
  Stmt(sqlite3* db, const fs::path& path) : db_(db), path_(path) {}
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Status prepare(std::string_view sql) {
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK) {
      return db_error(db_, path_, "prepare");
    }
    return ok();
  }
  void bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind_null(int i) { sqlite3_bind_null(stmt_, i); }
  /// True when a row is available, false when done.
  Result<bool> step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return db_error(db_, path_, "step");
  }
  Status run() {
    ASTACUS_TRY(step());
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return ok();
  }
  std::string text(int i) const { return std::string(text_view(i)); }
  /// Valid until the next step: no copy for values converted at once (a digest to its bytes).
  std::string_view text_view(int i) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, i))) : std::string_view();
  }
  bool is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  int64_t int64(int i) const { return sqlite3_column_int64(stmt_, i); }

  FileRow row() const {
    FileRow r;
    r.file.relative_path = text(0);
    r.file.file_size = int64(1);
    r.file.mtime_ns = int64(2);
    r.inode = int64(3);
    r.file.hexdigest = manifest::Hexdigest(text_view(4));
    if (!is_null(5)) r.file.content_b64 = text(5);
    return r;
  }

 private:
  sqlite3* db_;
  const fs::path& path_;
  sqlite3_stmt* stmt_ = nullptr;
};

Status exec(sqlite3* db, const fs::path& path, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return db_error(db, path, sql);
  return ok();
}

Result<std::optional<std::string>> get_meta(sqlite3* db, const fs::path& path, std::string_view key) {
  Stmt s(db, path);
  ASTACUS_CHECK(s.prepare("SELECT value FROM meta WHERE key = ?"));
  s.bind(1, key);
  if (!ASTACUS_TRY(s.step())) return std::optional<std::string>();
  return std::optional<std::string>(s.text(0));
}

Status set_meta(sqlite3* db, const fs::path& path, std::string_view key, std::string_view value) {
  Stmt s(db, path);
  ASTACUS_CHECK(s.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"));
  s.bind(1, key);
  s.bind(2, value);
  return s.run();
}

// Creates the schema; empties the table when it was recorded for another root or schema.
Status init_schema(sqlite3* db, const fs::path& path, const std::string& root) {
  sqlite3_busy_timeout(db, 10000);
  ASTACUS_CHECK(exec(db, path, "PRAGMA journal_mode=WAL"));
  ASTACUS_CHECK(exec(db, path, "PRAGMA synchronous=NORMAL"));
  ASTACUS_CHECK(exec(db, path,
                     "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                     "CREATE TABLE IF NOT EXISTS files(relative_path TEXT PRIMARY KEY,"
                     " file_size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
                     " inode INTEGER NOT NULL, hexdigest TEXT NOT NULL, content_b64 TEXT);"
                     // No index on hexdigest (DBs made before 2026-12-07 had one): its random-order
                     // inserts took 0.6 s of the ~0.9 s a full backup spent writing 100k new rows,
                     // on one core while the other idled. Its one reader, release(), scans instead.
                     "DROP INDEX IF EXISTS files_hexdigest;"));
  auto version = ASTACUS_TRY(get_meta(db, path, "schema_version"));
  auto recorded_root = ASTACUS_TRY(get_meta(db, path, "root"));
  if (version != kSchemaVersion || recorded_root != root) {
    if (version || recorded_root) {
      spdlog::info("snapshot DB '{}' was for root '{}' (schema {}); starting empty", path.string(),
                   recorded_root.value_or("?"), version.value_or("?"));
    }
    ASTACUS_CHECK(exec(db, path, "BEGIN IMMEDIATE"));
    auto done = [&]() -> Status {
      ASTACUS_CHECK(exec(db, path, "DELETE FROM files"));
      ASTACUS_CHECK(set_meta(db, path, "schema_version", kSchemaVersion));
      ASTACUS_CHECK(set_meta(db, path, "root", root));
      return exec(db, path, "COMMIT");
    }();
    if (!done) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return done;
  }
  return ok();
}

Result<sqlite3*> open_once(const fs::path& path, const std::string& root) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    auto err = db_error(db, path, "open");
    sqlite3_close(db);
    return err;
  }
  if (auto st = init_schema(db, path, root); !st) {
    sqlite3_close(db);
    return make_error(st.error());
  }
  return db;
}

void remove_db_files(const fs::path& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path.string() + suffix, ec);
}

}  // namespace

Result<std::unique_ptr<SnapshotDb>> SnapshotDb::open(const fs::path& db_file, const std::string& root) {
  if (db_file.has_parent_path()) ASTACUS_CHECK(ensure_directory(db_file.parent_path()));
  auto db = open_once(db_file, root);
  if (!db && db.error().code == ErrorCode::kCorruption) {
    // The DB is only a cache: a corrupt one is replaced (costs one re-hash of the tree).
    spdlog::warn("{}; recreating it", db.error().message);
    remove_db_files(db_file);
    db = open_once(db_file, root);
  }
  if (!db) return make_error(db.error());
  return std::unique_ptr<SnapshotDb>(new SnapshotDb(db_file, *db));
}

SnapshotDb::~SnapshotDb() { sqlite3_close(db_); }

Result<LoadedRows> SnapshotDb::load() const {
  std::lock_guard lock(mu_);
  LoadedRows rows;
  {
    // Sized once: growing by doubling moved every row again.
    Stmt count(db_, path_);
    ASTACUS_CHECK(count.prepare("SELECT COUNT(*) FROM files"));
    if (ASTACUS_TRY(count.step())) {
      rows.files.reserve(static_cast<size_t>(count.int64(0)));
      rows.inodes.reserve(static_cast<size_t>(count.int64(0)));
    }
  }
  Stmt s(db_, path_);
  ASTACUS_CHECK(s.prepare(fmt::format("SELECT {} FROM files", kColumns)));
  while (ASTACUS_TRY(s.step())) {
    FileRow row = s.row();
    rows.files.push_back(std::move(row.file));
    rows.inodes.push_back(row.inode);
  }
  return rows;
}

Status SnapshotDb::apply(const std::vector<std::string>& removed, const std::vector<const FileRow*>& upserts) {
  if (removed.empty() && upserts.empty()) return ok();
  std::lock_guard lock(mu_);
  ASTACUS_CHECK(exec(db_, path_, "BEGIN IMMEDIATE"));
  auto body = [&]() -> Status {
    Stmt del(db_, path_);
    ASTACUS_CHECK(del.prepare("DELETE FROM files WHERE relative_path = ?"));
    for (const auto& rel : removed) {
      del.bind(1, rel);
      ASTACUS_CHECK(del.run());
    }
    Stmt ins(db_, path_);
    ASTACUS_CHECK(ins.prepare(
        fmt::format("INSERT OR REPLACE INTO files({}) VALUES(?, ?, ?, ?, ?, ?)", kColumns)));
    for (const FileRow* upsert : upserts) {
      const FileRow& r = *upsert;
      ins.bind(1, r.file.relative_path);
      ins.bind(2, r.file.file_size);
      ins.bind(3, r.file.mtime_ns);
      ins.bind(4, r.inode);
      ins.bind(5, r.file.hexdigest.str());
      if (r.file.content_b64) {
        ins.bind(6, *r.file.content_b64);
      } else {
        ins.bind_null(6);
      }
      ASTACUS_CHECK(ins.run());
    }
    return exec(db_, path_, "COMMIT");
  }();
  if (!body) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  return body;
}

Result<std::vector<manifest::SnapshotFile>> SnapshotDb::files() const {
  std::lock_guard lock(mu_);
  Stmt s(db_, path_);
  ASTACUS_CHECK(s.prepare(fmt::format("SELECT {} FROM files ORDER BY relative_path", kColumns)));
  std::vector<manifest::SnapshotFile> out;
  while (ASTACUS_TRY(s.step())) out.push_back(s.row().file);
  return out;
}

Status SnapshotDb::for_each_digest(
    const std::function<void(std::string_view, const manifest::Hexdigest&)>& f) const {
  std::lock_guard lock(mu_);
  Stmt s(db_, path_);
  ASTACUS_CHECK(s.prepare("SELECT relative_path, hexdigest FROM files"));
  while (ASTACUS_TRY(s.step())) f(s.text_view(0), manifest::Hexdigest(s.text_view(1)));
  return ok();
}

Result<std::optional<FileRow>> SnapshotDb::find(std::string_view relative_path) const {
  std::lock_guard lock(mu_);
  Stmt s(db_, path_);
  ASTACUS_CHECK(s.prepare(fmt::format("SELECT {} FROM files WHERE relative_path = ?", kColumns)));
  s.bind(1, relative_path);
  if (!ASTACUS_TRY(s.step())) return std::optional<FileRow>();
  return std::optional<FileRow>(s.row());
}

Result<std::vector<std::string>> SnapshotDb::paths_with_hexdigest(std::string_view hexdigest) const {
  return paths_with_any_hexdigest({manifest::Hexdigest(hexdigest)});
}

Result<std::vector<std::string>> SnapshotDb::paths_with_any_hexdigest(std::vector<manifest::Hexdigest> hexdigests) const {
  std::sort(hexdigests.begin(), hexdigests.end());
  std::vector<std::string> out;
  ASTACUS_CHECK(for_each_digest([&](std::string_view rel, const manifest::Hexdigest& hexdigest) {
    if (std::binary_search(hexdigests.begin(), hexdigests.end(), hexdigest)) out.emplace_back(rel);
  }));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace astacus::snapshot::internal
