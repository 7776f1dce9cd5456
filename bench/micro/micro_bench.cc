// Micro-benchmarks of the data path's CPU-bound pieces (Google Benchmark):
//   BLAKE2s-256 of 1 MiB, zstd level 3 compress/decompress of 1 MiB (text-like and random),
//   RSA-envelope encrypt/decrypt of 1 MiB (RSA-3072), decrypting 1000 x 16 KiB objects with
//   pghoa1 (one RSA operation per object) vs astdk1 (one shared data key, warm and cold cache), and
//   encoding a 2 or 64 MiB blob streamed in 1 MiB pieces vs whole (zstd + astdk1), and
//   a Snapshotter walk of 10,000 small files (first run: link + hash everything; unchanged: stat-only),
//   and the coordinator's side of a 100,000-file node: reading its snapshot answer (checked,
//   list kept compressed) and writing the manifest from the kept list, and the local store taking
//   50,000 small blobs from 4 threads then flushing (batches published only when full, or eagerly).
// Compare BLAKE2s and zstd with `openssl speed -evp blake2s256` and `zstd -b3` (the floor).

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "codec/blake2s.h"
#include "codec/compression.h"
#include "codec/compression_stream.h"
#include "codec/envelope_stream.h"
#include "codec/stream.h"
#include "codec/data_key_envelope.h"
#include "codec/rsa_envelope.h"
#include "coordinator/node_file_lists.h"
#include "manifest/json_text.h"
#include "snapshot/snapshotter.h"
#include "storage/local/local_backend.h"

namespace fs = std::filesystem;
using namespace astacus;

namespace {

constexpr size_t kMiB = 1 << 20;

std::string random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t v = rng();
    std::memcpy(out.data() + i, &v, 8);
  }
  for (size_t i = n & ~size_t{7}; i < n; ++i) out[i] = static_cast<char>(rng());
  return out;
}

/// Pseudo-English (Zipf-distributed words, ~3x compressible), like the harness's text-like files.
std::string text_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::string letters = "etaoinshrdlcumwfgypbvkjxqz";
  std::discrete_distribution<int> letter({12, 9, 8, 7.5, 7, 6.7, 6.3, 6, 5.9, 4.3, 4, 2.8, 2.8, 2.4, 2.4,
                                          2.2, 2, 2, 1.9, 1.5, 1, 0.8, 0.15, 0.15, 0.1, 0.07});
  std::uniform_int_distribution<int> length(2, 10);
  std::vector<std::string> vocab(4096);
  std::vector<double> weights(vocab.size());
  for (size_t i = 0; i < vocab.size(); ++i) {
    int len = length(rng);
    for (int j = 0; j < len; ++j) vocab[i] += letters[letter(rng)];
    weights[i] = 1.0 / static_cast<double>(i + 1);
  }
  std::discrete_distribution<size_t> word(weights.begin(), weights.end());
  std::string out;
  out.reserve(n + 16);
  int in_sentence = 0;
  while (out.size() < n) {
    out += vocab[word(rng)];
    if (++in_sentence == 9) {
      out += ".\n";
      in_sentence = 0;
    } else {
      out += ' ';
    }
  }
  out.resize(n);
  return out;
}

const std::string& data_of(int kind) {
  static const std::string text = text_bytes(kMiB, 1);
  static const std::string random = random_bytes(kMiB, 2);
  return kind == 0 ? text : random;
}

void BM_Blake2s(benchmark::State& state) {
  const std::string& data = data_of(1);
  for (auto _ : state) benchmark::DoNotOptimize(codec::blake2s_hex(data));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_Blake2s)->Name("BLAKE2s/1MiB");

void BM_ZstdCompress(benchmark::State& state) {
  const std::string& data = data_of(static_cast<int>(state.range(0)));
  size_t stored = 0;
  for (auto _ : state) {
    auto out = codec::compress(codec::Compression::kZstd, 3, data);
    if (!out) {
      state.SkipWithError(out.error().to_string().c_str());
      return;
    }
    stored = out->size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
  state.counters["ratio"] = static_cast<double>(data.size()) / static_cast<double>(stored);
  state.SetLabel(state.range(0) == 0 ? "text-like" : "random");
}
BENCHMARK(BM_ZstdCompress)->Name("zstd3_compress/1MiB")->Arg(0)->Arg(1);

void BM_ZstdDecompress(benchmark::State& state) {
  const std::string& data = data_of(static_cast<int>(state.range(0)));
  auto stored = codec::compress(codec::Compression::kZstd, 3, data);
  if (!stored) {
    state.SkipWithError(stored.error().to_string().c_str());
    return;
  }
  for (auto _ : state) {
    auto out = codec::decompress(codec::Compression::kZstd, *stored);
    if (!out || out->size() != data.size()) {
      state.SkipWithError("decompress failed");
      return;
    }
    benchmark::DoNotOptimize(out->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
  state.SetLabel(state.range(0) == 0 ? "text-like" : "random");
}
BENCHMARK(BM_ZstdDecompress)->Name("zstd3_decompress/1MiB")->Arg(0)->Arg(1);

const codec::RsaKeyPem& rsa_key() {
  static const codec::RsaKeyPem key = [] {
    auto k = codec::generate_rsa_key(3072);
    if (!k) {
      std::fprintf(stderr, "generate_rsa_key: %s\n", k.error().to_string().c_str());
      std::abort();
    }
    return *k;
  }();
  return key;
}

void BM_RsaEncrypt(benchmark::State& state) {
  const std::string& data = data_of(1);
  const auto& key = rsa_key();
  for (auto _ : state) {
    auto out = codec::rsa_envelope_encrypt(key.public_pem, data);
    if (!out) {
      state.SkipWithError(out.error().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(out->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_RsaEncrypt)->Name("rsa3072_envelope_encrypt/1MiB");

void BM_RsaDecrypt(benchmark::State& state) {
  const std::string& data = data_of(1);
  const auto& key = rsa_key();
  auto stored = codec::rsa_envelope_encrypt(key.public_pem, data);
  if (!stored) {
    state.SkipWithError(stored.error().to_string().c_str());
    return;
  }
  for (auto _ : state) {
    auto out = codec::rsa_envelope_decrypt(key.private_pem, *stored);
    if (!out || out->size() != data.size()) {
      state.SkipWithError("decrypt failed");
      return;
    }
    benchmark::DoNotOptimize(out->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_RsaDecrypt)->Name("rsa3072_envelope_decrypt/1MiB");

// ---- many small encrypted objects: pghoa1 vs astdk1 ------------------------------------------

constexpr int kSmallObjects = 1000;
constexpr size_t kSmallObjectSize = 16 * 1024;

const std::vector<std::string>& small_plaintexts() {
  static const std::vector<std::string> plain = [] {
    std::vector<std::string> out;
    for (int i = 0; i < kSmallObjects; ++i) out.push_back(random_bytes(kSmallObjectSize, 100 + i));
    return out;
  }();
  return plain;
}

void BM_Pghoa1DecryptSmall(benchmark::State& state) {
  const auto& key = rsa_key();
  std::vector<std::string> stored;
  for (const auto& p : small_plaintexts()) {
    auto s = codec::rsa_envelope_encrypt(key.public_pem, p);
    if (!s) {
      state.SkipWithError(s.error().to_string().c_str());
      return;
    }
    stored.push_back(std::move(*s));
  }
  for (auto _ : state) {
    for (const auto& s : stored) {
      auto out = codec::rsa_envelope_decrypt(key.private_pem, s);
      if (!out || out->size() != kSmallObjectSize) {
        state.SkipWithError("decrypt failed");
        return;
      }
      benchmark::DoNotOptimize(out->data());
    }
  }
  state.SetItemsProcessed(state.iterations() * kSmallObjects);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kSmallObjects * kSmallObjectSize));
}
BENCHMARK(BM_Pghoa1DecryptSmall)->Name("rsa3072_pghoa1_decrypt/1000x16KiB")->Unit(benchmark::kMillisecond);

// state.range(0): 1 = warm cache (the data key is already unwrapped), 0 = a fresh cache per
// iteration (one RSA operation per 1000 objects, as in a restore).
void BM_DataKeyDecryptSmall(benchmark::State& state) {
  const auto& key = rsa_key();
  const bool warm = state.range(0) == 1;
  auto dk = codec::new_data_key(key.public_pem);
  if (!dk) {
    state.SkipWithError(dk.error().to_string().c_str());
    return;
  }
  std::vector<std::string> stored;
  for (const auto& p : small_plaintexts()) {
    auto s = codec::data_key_encrypt(*dk, p);
    if (!s) {
      state.SkipWithError(s.error().to_string().c_str());
      return;
    }
    stored.push_back(std::move(*s));
  }
  auto warm_cache = std::make_unique<codec::DataKeyCache>();
  if (warm && !codec::data_key_decrypt(key.private_pem, stored[0], *warm_cache)) {
    state.SkipWithError("warm-up decrypt failed");
    return;
  }
  size_t unwraps = 0;
  for (auto _ : state) {
    std::unique_ptr<codec::DataKeyCache> cold_cache;
    if (!warm) cold_cache = std::make_unique<codec::DataKeyCache>();
    codec::DataKeyCache& cache = warm ? *warm_cache : *cold_cache;
    for (const auto& s : stored) {
      auto out = codec::data_key_decrypt(key.private_pem, s, cache);
      if (!out || out->size() != kSmallObjectSize) {
        state.SkipWithError("decrypt failed");
        return;
      }
      benchmark::DoNotOptimize(out->data());
    }
    unwraps += cache.unwrap_count();
  }
  if (warm && warm_cache->unwrap_count() != 1) state.SkipWithError("a warm-cache decrypt unwrapped again");
  state.SetItemsProcessed(state.iterations() * kSmallObjects);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kSmallObjects * kSmallObjectSize));
  state.counters["rsa_ops_per_iter"] =
      warm ? 0.0 : static_cast<double>(unwraps) / static_cast<double>(state.iterations());
  state.SetLabel(warm ? "warm cache" : "cold cache");
}
BENCHMARK(BM_DataKeyDecryptSmall)
    ->Name("rsa3072_astdk1_decrypt/1000x16KiB")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond);

// ---- big blobs: streamed in 1 MiB pieces vs encoded whole -----------------------------------

// Counts the bytes a stream hands out (stands for the storage writer).
class CountingSink final : public codec::ByteSink {
 public:
  Status write(std::string_view bytes) override {
    bytes_ += bytes.size();
    return ok();
  }
  size_t bytes_ = 0;
};

// zstd + astdk1 over a random blob of range(1) MiB; range(0) 1 = streamed (TransformChain,
// 1 MiB pieces), 0 = whole-buffer compress() + data_key_encrypt(), as small blobs are encoded.
void BM_BigBlobEncode(benchmark::State& state) {
  static const std::string all = random_bytes(64 * kMiB, 64);
  const std::string blob = all.substr(0, static_cast<size_t>(state.range(1)) * kMiB);
  auto key = codec::new_data_key(rsa_key().public_pem);
  if (!key) {
    state.SkipWithError(key.error().to_string().c_str());
    return;
  }
  const bool streamed = state.range(0) == 1;
  for (auto _ : state) {
    if (streamed) {
      CountingSink sink;
      std::vector<std::unique_ptr<codec::StreamTransform>> stages;
      stages.push_back(codec::make_compressor(codec::Compression::kZstd, 3, blob.size()).value());
      stages.push_back(codec::make_data_key_encryptor(*key).value());
      codec::TransformChain chain(std::move(stages), sink);
      for (size_t at = 0; at < blob.size(); at += kMiB) {
        if (!chain.write(std::string_view(blob).substr(at, kMiB))) state.SkipWithError("stream failed");
      }
      if (!chain.finish()) state.SkipWithError("stream failed");
      benchmark::DoNotOptimize(sink.bytes_);
    } else {
      auto compressed = codec::compress(codec::Compression::kZstd, 3, blob);
      auto sealed = codec::data_key_encrypt(*key, *compressed);
      benchmark::DoNotOptimize(sealed->data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * blob.size()));
  state.SetLabel(streamed ? "streamed, 1 MiB pieces" : "whole buffer");
}
BENCHMARK(BM_BigBlobEncode)
    ->Name("zstd3_astdk1_encode/random_MiB")
    ->ArgsProduct({{1, 0}, {2, 64}})
    ->Unit(benchmark::kMillisecond);

// ---- snapshot walk --------------------------------------------------------------------------

constexpr int kTreeFiles = 10000;

/// A new directory under /tmp, removed with everything in it when destroyed.
class ScratchDir {
 public:
  ScratchDir() {
    char tmpl[] = "/tmp/astacus-micro-XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// A tree of 10,000 files of 1-4096 random bytes in 100 folders, made once, removed at exit.
class Tree {
 public:
  Tree() {
    std::mt19937_64 rng(3);
    std::uniform_int_distribution<int> size(1, 4096);
    for (int i = 0; i < kTreeFiles; ++i) {
      fs::path dir = root() / ("d" + std::to_string(i % 100));
      if (i < 100) fs::create_directories(dir);
      fs::path p = dir / ("f" + std::to_string(i) + ".dat");
      std::ofstream(p, std::ios::binary) << random_bytes(static_cast<size_t>(size(rng)), i);
      bytes_ += static_cast<int64_t>(fs::file_size(p));
    }
  }
  fs::path root() const { return base_.path() / "root"; }
  fs::path work() const { return base_.path() / "work"; }
  int64_t bytes() const { return bytes_; }

 private:
  ScratchDir base_;
  int64_t bytes_ = 0;
};

Tree& tree() {
  static Tree t;
  return t;
}

int hash_threads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

const std::vector<snapshot::SnapshotGroup> kGroups = {{"**", {}, 200}};

void BM_SnapshotFirstRun(benchmark::State& state) {
  Tree& t = tree();
  int64_t files = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::error_code ec;
    fs::remove_all(t.work(), ec);
    fs::create_directories(t.work());
    state.ResumeTiming();
    auto snap = snapshot::Snapshotter::open(t.root(), t.work() / "link", t.work() / "db", hash_threads());
    if (!snap) {
      state.SkipWithError(snap.error().to_string().c_str());
      return;
    }
    auto result = (*snap)->snapshot(kGroups);
    if (!result) {
      state.SkipWithError(result.error().to_string().c_str());
      return;
    }
    files = static_cast<int64_t>(result->size());
  }
  if (files != kTreeFiles) state.SkipWithError("snapshot missed files");
  state.SetItemsProcessed(state.iterations() * kTreeFiles);
  state.SetBytesProcessed(state.iterations() * t.bytes());
}
BENCHMARK(BM_SnapshotFirstRun)->Name("snapshot_10k_files/first_run")->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SnapshotUnchanged(benchmark::State& state) {
  Tree& t = tree();
  std::error_code ec;
  fs::remove_all(t.work(), ec);
  fs::create_directories(t.work());
  auto snap = snapshot::Snapshotter::open(t.root(), t.work() / "link", t.work() / "db", hash_threads());
  if (!snap || !(*snap)->snapshot(kGroups)) {
    state.SkipWithError("first snapshot failed");
    return;
  }
  for (auto _ : state) {
    auto result = (*snap)->snapshot(kGroups);
    if (!result || result->size() != kTreeFiles) {
      state.SkipWithError("snapshot failed");
      return;
    }
  }
  if ((*snap)->last_stats().files_hashed != 0) state.SkipWithError("an unchanged snapshot re-hashed files");
  state.SetItemsProcessed(state.iterations() * kTreeFiles);
}
BENCHMARK(BM_SnapshotUnchanged)->Name("snapshot_10k_files/unchanged")->Unit(benchmark::kMillisecond)->UseRealTime();

/// 50,000 objects of 1-4096 random bytes put_batched() by 4 threads into a new local store, then
/// flush(): what the upload of a small-file node asks of storage. Arg 0: a batch is published
/// when full (20,000 objects); arg 1: also as soon as the publisher is idle (the default).
/// Every iteration writes a new directory; all go at exit (deleting between runs would slow the
/// next one's inode allocation: ext4 without a journal skips inodes freed in the last 30 s).
void BM_LocalStorePutBatched(benchmark::State& state) {
  constexpr int kObjects = 50000;
  constexpr int kThreads = 4;
  static const std::string bytes = random_bytes(4096 + kObjects, 5);
  static ScratchDir scratch;  // removed at exit, not between runs (see above)
  static int run = 0;
  storage::LocalBatchLimits limits;
  if (state.range(0) == 0) limits.eager_objects = limits.objects;
  for (auto _ : state) {
    storage::LocalBackend store(scratch.path() / std::to_string(run++), "", limits);
    std::vector<std::thread> threads;
    std::atomic<bool> failed{false};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < kObjects; i += kThreads) {
          std::string_view data(bytes.data() + i, 1 + static_cast<size_t>(i * 7919) % 4096);
          if (!store.put_batched(fmt::format("data/{:064x}", i), data, {{"compression-algorithm", "zstd"}})) failed = true;
        }
      });
    }
    for (auto& th : threads) th.join();
    if (!store.flush() || failed) {
      state.SkipWithError("put or flush failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kObjects);
}
BENCHMARK(BM_LocalStorePutBatched)->Name("local_store_put_batched/50k_small")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

/// A node's snapshot answer for `files` files of the bench dataset's shape.
manifest::SnapshotResult node_result(int files) {
  manifest::SnapshotResult r;
  r.hostname = "node0";
  r.start = r.end = SystemTime{};
  r.state = manifest::SnapshotState{{"**"}, {}};
  r.hashes.emplace();
  std::mt19937_64 rng(4);
  for (int i = 0; i < files; ++i) {
    manifest::SnapshotFile f;
    f.relative_path = fmt::format("d{:03}/sub{:02}/file-{:07}.dat", i % 500, i % 37, i);
    f.file_size = static_cast<int64_t>(rng() % 100000);
    f.mtime_ns = 1700000000000000000 + static_cast<int64_t>(rng() % 1000000000000);
    f.hexdigest = manifest::Hexdigest(fmt::format("{:016x}{:016x}{:016x}{:016x}", rng(), rng(), rng(), rng()));
    r.hashes->push_back({f.hexdigest, f.file_size});
    r.state->files.push_back(std::move(f));
    r.files += 1;
    r.total_size += r.state->files.back().file_size;
  }
  return r;
}

constexpr int kNodeFiles = 100000;

const std::string& node_result_text() {
  static const std::string text = [] {
    std::string out;
    manifest::append_json(out, node_result(kNodeFiles));
    return out;
  }();
  return text;
}

void BM_CoordinatorReadNodeResult(benchmark::State& state) {
  const std::string& text = node_result_text();
  for (auto _ : state) {
    coordinator::NodeFileLists lists(1);
    auto result = lists.read(0, text);
    if (!result || !result->hashes || result->hashes->size() != kNodeFiles) {
      state.SkipWithError("the answer did not read back");
      return;
    }
    benchmark::DoNotOptimize(lists.compressed_bytes());
  }
  state.SetItemsProcessed(state.iterations() * kNodeFiles);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_CoordinatorReadNodeResult)->Name("coordinator_read_node_result/100k_files")->Unit(benchmark::kMillisecond);

void BM_ManifestWriteFromKeptList(benchmark::State& state) {
  coordinator::NodeFileLists lists(1);
  auto result = lists.read(0, node_result_text());
  if (!result) {
    state.SkipWithError("the answer did not read back");
    return;
  }
  manifest::BackupManifest backup;
  backup.start = backup.end = SystemTime{};
  backup.plugin = "files";
  backup.snapshot_results.push_back(std::move(*result));
  uint64_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    auto written = manifest::write_manifest(
        backup,
        [&](std::string_view piece) {
          bytes += piece.size();
          return ok();
        },
        1 << 20, &lists);
    if (!written) state.SkipWithError("write_manifest failed");
  }
  state.SetItemsProcessed(state.iterations() * kNodeFiles);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ManifestWriteFromKeptList)->Name("manifest_write_from_kept_list/100k_files")->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);  // no per-snapshot info lines between results
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
