#include <gtest/gtest.h>

#include "config/parse.h"
#include "config/redact.h"
#include "config/tests/test_util.h"

namespace astacus::config {
namespace {

TEST(Redact, HidesEverySecret) {
  testing::TempDir dir;
  std::string text = testing::minimal_yaml(dir.str()) + R"(sentry_dsn: https://SENTRY@sentry.io/1
)";
  text = testing::replace_all(text, "  storages:\n", R"(  encryption_key_id: k
  encryption_keys:
    k: {public: PUBLIC-PEM, private: PRIVATE-PEM}
  storages:
    s3: {storage_type: s3, region: r, aws_access_key_id: AKID, aws_secret_access_key: S3SECRET,
         aws_session_token: S3TOKEN, proxy_info: {type: socks5, host: h, port: 1, user: U, pass: PROXYPASS}}
    az: {storage_type: azure, account_name: a, account_key: AZKEY, sas_token: AZSAS}
    gcs: {storage_type: google, project_id: p, credentials: {type: service_account, private_key: GCSKEY}}
)");
  text = testing::replace_all(text, "    root_globs: [\"*\"]\n",
                              "    root_globs: [\"*\"]\n    client: {username: u, password: PLUGINPASS}\n");
  auto c = parse_config(text, "cfg.yaml");
  ASSERT_TRUE(c) << c.error().to_string();
  nlohmann::json j = to_redacted_json(*c);
  std::string dumped = j.dump();
  for (const char* secret : {"SENTRY", "PRIVATE-PEM", "S3SECRET", "S3TOKEN", "PROXYPASS", "AZKEY", "AZSAS",
                             "GCSKEY", "PLUGINPASS"}) {
    EXPECT_EQ(dumped.find(secret), std::string::npos) << secret;
  }
  for (const char* kept : {"PUBLIC-PEM", "AKID", "\"user\":\"U\"", "\"username\":\"u\""}) {
    EXPECT_NE(dumped.find(kept), std::string::npos) << kept;
  }
  const auto& storages = j["object_storage"]["storages"];
  EXPECT_EQ(storages["s3"]["aws_secret_access_key"], kRedacted);
  EXPECT_EQ(storages["s3"]["proxy_info"]["pass"], kRedacted);
  EXPECT_EQ(storages["gcs"]["credentials"], kRedacted);
  EXPECT_EQ(storages["az"]["sas_token"], kRedacted);
  EXPECT_EQ(j["object_storage"]["encryption_keys"]["k"]["private"], kRedacted);
  EXPECT_EQ(j["sentry_dsn"], kRedacted);
  EXPECT_EQ(j["node"]["object_storage"]["storages"]["az"]["account_key"], kRedacted);
  EXPECT_EQ(j["coordinator"]["plugin_config"]["client"]["password"], kRedacted);
  // Unset secrets stay visibly unset.
  EXPECT_TRUE(j["object_storage"]["storages"]["az"]["proxy_info"].is_null());
  EXPECT_TRUE(j["object_storage"]["storages"]["gcs"]["credential_file"].is_null());
}

TEST(Redact, OutputHasTheFileShape) {
  testing::TempDir dir;
  auto c = parse_config(testing::minimal_yaml(dir.str()), "cfg.yaml");
  ASSERT_TRUE(c) << c.error().to_string();
  nlohmann::json j = to_redacted_json(*c);
  EXPECT_EQ(j["sentry_dsn"], "");
  EXPECT_EQ(j["uvicorn"]["port"], 5515);
  EXPECT_EQ(j["coordinator"]["retention"]["keep_days"], 7);
  EXPECT_EQ(j["node"]["root_link"], dir.str() + "/.astacus");
  // Without secrets, the printed config parses back to the same values.
  auto again = parse_config(j.dump(), "printed.json");
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(to_redacted_json(*again), j);
}

}  // namespace
}  // namespace astacus::config
