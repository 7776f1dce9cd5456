#pragma once
// A scratch directory removed at the end of the test.

#include <filesystem>

#include "base/files.h"

namespace astacus::storage::testing {

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("astacus-storage-test-" + random_hex(12))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace astacus::storage::testing
