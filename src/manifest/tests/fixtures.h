#pragma once
// Access to the Python Astacus compat fixtures for tests. Missing fixtures fail the test.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace astacus::manifest::testing {

inline std::filesystem::path compat_dir() {
  const char* env = std::getenv("ASTACUS_COMPAT_DIR");
  return env && *env ? std::filesystem::path(env)
                     : std::filesystem::path("/work/shared/compat/python-astacus");
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace astacus::manifest::testing
