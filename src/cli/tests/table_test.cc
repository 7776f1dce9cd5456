#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/list_command.h"
#include "cli/table.h"

namespace astacus::cli {
namespace {

const std::filesystem::path kCompat =
    std::filesystem::path(ASTACUS_SHARED_DIR) / "compat" / "python-astacus";

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "missing fixture " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A captured HTTP answer: header lines, a blank line, then the body.
nlohmann::json read_http_body(const std::filesystem::path& path) {
  std::string text = read_text(path);
  auto split = text.find("\n\n");
  EXPECT_NE(split, std::string::npos) << path;
  if (split == std::string::npos) return {};
  return nlohmann::json::parse(text.substr(split + 2));
}

struct ListCase {
  const char* fixture;
  const char* http_file;
  const char* cli_dir;
};

class ListFixture : public ::testing::TestWithParam<ListCase> {};

TEST_P(ListFixture, RendersPythonStdoutByteForByte) {
  const auto& c = GetParam();
  auto dir = kCompat / c.fixture;
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << "fixture folder missing: " << dir;
  auto json = read_http_body(dir / "http" / c.http_file);
  auto rendered = render_list(json);
  ASSERT_TRUE(rendered) << rendered.error().to_string();
  EXPECT_EQ(*rendered, read_text(dir / "cli" / c.cli_dir / "stdout.txt"));
}

INSTANTIATE_TEST_SUITE_P(
    Compat, ListFixture,
    ::testing::Values(
        ListCase{"files-zstd-3node", "004-GET-list-empty-storage.txt", "008-list-empty"},
        ListCase{"files-zstd-3node", "018-GET-list-after-backup1.txt", "019-list-1-backup"},
        ListCase{"files-zstd-3node", "021-GET-list-after-backup2.txt", "022-list-2-backups"},
        ListCase{"files-zstd-3node", "064-GET-list-after-delete.txt", "063-list-after-delete"},
        ListCase{"files-zstd-level19-1node", "004-GET-list.txt", "005-list"},
        ListCase{"files-lzma-1node", "004-GET-list.txt", "005-list"},
        ListCase{"files-rsa-only-1node", "004-GET-list.txt", "005-list"}));

nlohmann::json backup(const std::string& name, const std::string& plugin, int attempt, int nodes) {
  return {{"name", name},          {"start", "2020-01-01T00:00:00Z"},
          {"end", "2020-01-02T03:02:01.5Z"}, {"plugin", plugin},
          {"attempt", attempt},    {"nodes", nodes},
          {"files", 5},            {"total_size", 1000},
          {"upload_size", 0},      {"upload_stored_size", 0},
          {"cluster_files", 5},    {"cluster_data_size", 1000},
          {"tiered_storage_size", nullptr}};
}

TEST(RenderList, DifferingValuesBecomeRowColumnsAndStoragesAreSeparated) {
  nlohmann::json list = {
      {"storages",
       {{{"storage_name", "a"},
         {"backups", {backup("n1", "files", 1, 3), backup("n2", "files", 2, 3)}}},
        {{"storage_name", "b"}, {"backups", nlohmann::json::array()}}}}};
  auto rendered = render_list(list);
  ASSERT_TRUE(rendered) << rendered.error().to_string();
  EXPECT_EQ(*rendered,
            "| Storage   | Plugin   |   Nodes | % change   |\n"
            "|-----------|----------|---------|------------|\n"
            "| a         | files    |       3 | 0.00%      |\n"
            "\n"
            "| Name   | Duration    |   Files | Size   |   Att |\n"
            "|--------|-------------|---------|--------|-------|\n"
            "| n1     | 1d 3h 2m 1s |       5 | 1.0 KB |     1 |\n"
            "| n2     | 1d 3h 2m 1s |       5 | 1.0 KB |     2 |\n"
            "\n"
            "| Storage   |\n"
            "|-----------|\n"
            "| b         |\n"
            "\n"
            "| name   | duration   | files   | total_size   |\n"
            "|--------|------------|---------|--------------|\n");
}

TEST(RenderList, RejectsMalformedAnswers) {
  EXPECT_FALSE(render_list(nlohmann::json::object()));
  EXPECT_FALSE(render_list({{"storages", {{{"storage_name", "x"}, {"backups", {{{"name", 1}}}}}}}}));
  auto empty = render_list({{"storages", nlohmann::json::array()}});
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, "");
}

TEST(GithubTable, AlignsNumbersRightAndPadsHeaders) {
  Table t{{"Name", "N", "Mixed"},
          {{Cell::string("x"), Cell::number(7), Cell::string("12")},
           {Cell::string("longer name"), Cell::number(12345), Cell::string("ab")}}};
  EXPECT_EQ(render_github_table(t),
            "| Name        |     N | Mixed   |\n"
            "|-------------|-------|---------|\n"
            "| x           |     7 | 12      |\n"
            "| longer name | 12345 | ab      |");
  Table numeric_strings{{"S"}, {{Cell::string("12")}, {Cell::string("3.5")}}};
  EXPECT_EQ(render_github_table(numeric_strings),
            "|   S |\n"
            "|-----|\n"
            "|  12 |\n"
            "| 3.5 |");
}

}  // namespace
}  // namespace astacus::cli
