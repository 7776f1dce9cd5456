#pragma once
// Shared steps of the system tests: sample data and common CLI round trips.

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "codec/blake2s.h"
#include "http/client.h"
#include "support/cluster.h"

namespace astacus::testing {

/// The sample data of issue 3: nested folders, empty files, 199/200/201-byte files, MB-sized
/// files, one file identical on nodes 0 and 1, and a dot file that `**` does not match.
inline void fill_sample_data(TestCluster& cluster) {
  int64_t t = 1700000000123456789;
  auto& r0 = cluster.root(0);
  write_file(r0 / "empty.dat", "", t + 1);
  write_file(r0 / "size199.bin", random_bytes(199, 1), t + 2);
  write_file(r0 / "size200.bin", random_bytes(200, 2), t + 3);
  write_file(r0 / "size201.bin", random_bytes(201, 3), t + 4);
  write_file(r0 / "nested/l1/l2/l3/deep.txt", std::string(150 * 1024, 'x'), t + 5);
  write_file(r0 / "big/random-3m.bin", random_bytes(3 * 1024 * 1024, 4), t + 6);
  write_file(r0 / "shared/common.bin", random_bytes(200 * 1024, 5), t + 7);
  write_file(r0 / "dir with space/ünïcødé ✓.txt", random_bytes(3000, 6), t + 8);
  auto& r1 = cluster.root(1);
  write_file(r1 / "empty.dat", "", t + 9);
  write_file(r1 / "shared/common.bin", random_bytes(200 * 1024, 5), t + 10);
  write_file(r1 / "copy-of-common.bin", random_bytes(200 * 1024, 5), t + 11);
  write_file(r1 / "big/random-2m.bin", random_bytes(2 * 1024 * 1024, 7), t + 12);
  write_file(r1 / ".hidden", "not backed up", t + 13);
  if (cluster.size() > 2) {
    auto& r2 = cluster.root(2);
    write_file(r2 / "a/b/c/d/e/f/deep.bin", random_bytes(4242, 8), t + 14);
    write_file(r2 / "same-as-node0-size201.bin", random_bytes(201, 3), t + 15);
    write_file(r2 / "data/t256k.txt", std::string(256 * 1024, 'y'), t + 16);
  }
}

/// What a backup of the whole cluster (globs `**`) must hold: each node's tree without dot
/// files, and the digests of every file above the 200-byte embedding limit (= the blobs).
struct ExpectedBackup {
  std::vector<TreeState> trees;
  std::set<std::string> blob_digests;
};

inline ExpectedBackup expected_backup(const TestCluster& cluster) {
  ExpectedBackup out;
  for (size_t i = 0; i < cluster.size(); ++i) {
    out.trees.push_back(read_tree(cluster.root(i)));
    out.trees.back().erase(".hidden");  // `**` does not match dot files
    for (const auto& [path, state] : out.trees.back()) {
      if (state.content.size() > 200) out.blob_digests.insert(codec::blake2s_hex(state.content));
    }
  }
  return out;
}

inline void expect_ok(const CommandResult& r, const std::string& what) {
  EXPECT_EQ(r.exit_code, 0) << what << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err;
}

/// POSTs `path` (e.g. "/backup") with `body` to node 0 and polls the op's status URL until it
/// is no longer running; returns the last status (or {"error": ...} when the start failed).
inline nlohmann::json run_op_over_http(TestCluster& cluster, const std::string& path,
                                       const std::string& body = "") {
  auto start = http::request("POST", cluster.url(0) + path, {std::chrono::seconds(10), body});
  if (!start || start->status != 200) {
    return {{"error", start ? start->body : start.error().message}};
  }
  auto status_url = nlohmann::json::parse(start->body)["status_url"].get<std::string>();
  nlohmann::json status;
  for (int i = 0; i < 600; ++i) {
    auto r = http::request("GET", status_url);
    if (!r) return {{"error", r.error().message}};
    status = nlohmann::json::parse(r->body);
    if (status["state"] != "running" && status["state"] != "starting") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return status;
}

}  // namespace astacus::testing
