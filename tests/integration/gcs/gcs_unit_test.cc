// Pure parts of the GCS backend and of its stand-in (label unit): base64url and JWTs (checked by
// the stand-in's own verifier), token request/answer shapes, names and URLs, resumable-upload
// headers, JSON resources, crc32c computed piece by piece, error classification, the stand-in's
// session rules and the credentials/config keys.
#include <gtest/gtest.h>

#include <curl/curl.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "codec/crc32c.h"
#include "gcs_stand_in_process.h"
#include "stand_in/store.h"
#include "stand_in/token_check.h"
#include "storage/gcs/gcs_backend.h"
#include "storage/gcs/gcs_credentials.h"
#include "storage/gcs/gcs_errors.h"
#include "storage/gcs/gcs_jwt.h"
#include "storage/gcs/gcs_names.h"
#include "storage/gcs/gcs_resources.h"
#include "storage/gcs/gcs_token.h"
#include "storage/gcs/gcs_upload.h"

namespace astacus::testing {
namespace {

namespace gcs = storage::gcs;
using Json = nlohmann::json;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* kAudience = "http://127.0.0.1:1/token";

gcs_stand_in::TokenRules rules() {
  return {stand_in_account_key().public_pem, kStandInEmail, kAudience, unix_now()};
}

gcs::JwtClaims claims() { return {kStandInEmail, gcs::kStorageScope, kAudience, unix_now()}; }

std::string jwt_of(const gcs::JwtClaims& c) {
  return gcs::make_jwt(c, "kid-1", stand_in_account_key().private_pem).value();
}

TEST(GcsStandInUnit, Base64UrlMatchesRfc7515) {
  // RFC 7515 §3.3 (JWS header) and appendix C (bytes that need '-' and '_').
  EXPECT_EQ(gcs::base64url_encode("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}"),
            "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9");
  EXPECT_EQ(gcs::base64url_encode(std::string("\x03\xec\xff\xe0\xc1", 5)), "A-z_4ME");
  EXPECT_EQ(gcs::base64url_decode("A-z_4ME").value(), std::string("\x03\xec\xff\xe0\xc1", 5));
  EXPECT_EQ(gcs::base64url_decode("A-z_4ME=").value(), std::string("\x03\xec\xff\xe0\xc1", 5));
  EXPECT_EQ(gcs::base64url_encode(""), "");
  EXPECT_EQ(gcs::base64url_encode("ab"), "YWI");
  EXPECT_FALSE(gcs::base64url_decode("A+z/4ME"));
  EXPECT_FALSE(gcs::base64url_decode("A"));
}

TEST(GcsStandInUnit, JwtHasTheServiceAccountClaims) {
  gcs::JwtClaims c{"sa@p.iam.gserviceaccount.com", gcs::kStorageScope, "https://oauth2.googleapis.com/token",
                   1700000000};
  std::string input = gcs::jwt_signing_input(c, "kid-1");
  size_t dot = input.find('.');
  ASSERT_NE(dot, std::string::npos);
  Json header = Json::parse(gcs::base64url_decode(input.substr(0, dot)).value());
  Json body = Json::parse(gcs::base64url_decode(input.substr(dot + 1)).value());
  EXPECT_EQ(header, Json({{"alg", "RS256"}, {"typ", "JWT"}, {"kid", "kid-1"}}));
  EXPECT_EQ(body["iss"], "sa@p.iam.gserviceaccount.com");
  EXPECT_EQ(body["scope"], "https://www.googleapis.com/auth/devstorage.read_write");
  EXPECT_EQ(body["aud"], "https://oauth2.googleapis.com/token");
  EXPECT_EQ(body["iat"], 1700000000);
  EXPECT_EQ(body["exp"], 1700003600);
  std::string without_kid = gcs::jwt_signing_input(c, "");
  EXPECT_EQ(Json::parse(gcs::base64url_decode(without_kid.substr(0, without_kid.find('.'))).value()),
            Json({{"alg", "RS256"}, {"typ", "JWT"}}));
}

TEST(GcsStandInUnit, SignedJwtPassesTheStandInsChecks) {
  std::string jwt = jwt_of(claims());
  EXPECT_EQ(gcs_stand_in::check_assertion(jwt, rules()).error, "");
  // RS256 is deterministic: the same input gives the same signature.
  EXPECT_EQ(gcs::sign_rs256(stand_in_account_key().private_pem, "x").value(),
            gcs::sign_rs256(stand_in_account_key().private_pem, "x").value());
}

TEST(GcsStandInUnit, StandInRefusesBadAssertions) {
  auto refusal = [](const std::string& jwt) { return gcs_stand_in::check_assertion(jwt, rules()).description; };
  auto other_key = codec::generate_rsa_key(2048).value();
  EXPECT_EQ(refusal(gcs::make_jwt(claims(), "", other_key.private_pem).value()), "Invalid JWT Signature.");
  std::string jwt = jwt_of(claims());
  std::string tampered = jwt;
  tampered[jwt.find('.') + 5] ^= 1;
  EXPECT_EQ(refusal(tampered), "Invalid JWT Signature.");
  auto wrong = claims();
  wrong.issuer = "someone@else";
  EXPECT_TRUE(contains(refusal(jwt_of(wrong)), "iss 'someone@else'"));
  wrong = claims();
  wrong.audience = "https://oauth2.googleapis.com/token";
  EXPECT_TRUE(contains(refusal(jwt_of(wrong)), "aud"));
  wrong = claims();
  wrong.issued_at -= 7200;  // expired an hour ago
  EXPECT_TRUE(contains(refusal(jwt_of(wrong)), "short-lived token"));
  wrong = claims();
  wrong.scope = "https://www.googleapis.com/auth/devstorage.read_only";
  EXPECT_EQ(gcs_stand_in::check_assertion(jwt_of(wrong), rules()).error, "invalid_scope");
  EXPECT_TRUE(contains(refusal("a.b"), "three"));
}

TEST(GcsStandInUnit, TokenRequestAndAnswer) {
  EXPECT_EQ(gcs::token_request_body("h.c.s"),
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=h.c.s");
  auto token = gcs::parse_token_response(R"({"access_token":"ya29.x","expires_in":3599,"token_type":"Bearer"})");
  ASSERT_TRUE(token);
  EXPECT_EQ(token->token, "ya29.x");
  EXPECT_EQ(token->expires_in, 3599);
  EXPECT_FALSE(gcs::parse_token_response(R"({"error":"invalid_grant"})"));
  EXPECT_FALSE(gcs::parse_token_response("not json"));
  EXPECT_EQ(gcs::refresh_margin(3600), std::chrono::seconds(300));
  EXPECT_EQ(gcs::refresh_margin(100), std::chrono::seconds(25));
}

TEST(GcsStandInUnit, NamesFollowRohmuOnGcs) {
  EXPECT_EQ(gcs::normalize_prefix(""), "");
  EXPECT_EQ(gcs::normalize_prefix("p"), "p/");
  EXPECT_EQ(gcs::normalize_prefix("/p/"), "/p/");  // the leading '/' stays on GCS
  EXPECT_EQ(gcs::object_name("p/", "json/backup-1"), "p/json/backup-1");
  EXPECT_EQ(gcs::object_name("", "data/x//"), "data/x");
  EXPECT_EQ(gcs::list_prefix("p/", "data"), "p/data/");
  EXPECT_EQ(gcs::list_prefix("p/", "data/"), "p/data/");
  EXPECT_EQ(gcs::list_prefix("", ""), "/");
  EXPECT_EQ(gcs::url_encode("a/b c+d:ü~"), "a%2Fb%20c%2Bd%3A%C3%BC~");
  gcs::Urls urls{"http://h:1", "bk"};
  EXPECT_EQ(urls.object("p/json/x+y"), "http://h:1/storage/v1/b/bk/o/p%2Fjson%2Fx%2By");
  EXPECT_EQ(urls.media("o", "42"), "http://h:1/storage/v1/b/bk/o/o?alt=media&generation=42");
  EXPECT_EQ(urls.pinned_media("p/o", "42"), "http://h:1/storage/v1/b/bk/o/p%2Fo?alt=media&ifGenerationMatch=42");
  EXPECT_EQ(urls.pinned_media("o", ""), "http://h:1/storage/v1/b/bk/o/o?alt=media");
  EXPECT_EQ(urls.list("p/data/", "", 0), "http://h:1/storage/v1/b/bk/o?prefix=p%2Fdata%2F&delimiter=%2F");
  EXPECT_EQ(urls.list("", "tok=", 2),
            "http://h:1/storage/v1/b/bk/o?prefix=&delimiter=%2F&maxResults=2&pageToken=tok%3D");
  EXPECT_EQ(urls.resumable_upload("a/b"), "http://h:1/upload/storage/v1/b/bk/o?uploadType=resumable&name=a%2Fb");
}

TEST(GcsStandInUnit, ResumableUploadHeaders) {
  EXPECT_EQ(gcs::chunk_size_of(8 << 20), size_t{8 << 20});
  EXPECT_EQ(gcs::chunk_size_of(300 * 1024), size_t{256 * 1024});
  EXPECT_EQ(gcs::chunk_size_of(1), size_t{256 * 1024});
  EXPECT_EQ(gcs::content_range(0, 262144, 1000000), "bytes 0-262143/1000000");
  EXPECT_EQ(gcs::content_range(262144, 10, 262154), "bytes 262144-262153/262154");
  EXPECT_EQ(gcs::content_range(0, 0, 0), "bytes */0");
  EXPECT_EQ(gcs::content_range(5, 0, 77), "bytes */77");
  EXPECT_EQ(gcs::content_range(262144, 262144, std::nullopt), "bytes 262144-524287/*");  // size not known yet
  EXPECT_EQ(gcs::content_range(0, 0, std::nullopt), "bytes */*");
  EXPECT_EQ(gcs::persisted_from_range("").value(), 0u);
  EXPECT_EQ(gcs::persisted_from_range("bytes=0-262143").value(), 262144u);
  EXPECT_FALSE(gcs::persisted_from_range("bytes=5-9"));
  EXPECT_FALSE(gcs::persisted_from_range("bytes=0-"));
  // The stand-in parses the same header shapes.
  auto range = gcs_stand_in::parse_content_range("bytes 262144-262153/262154");
  ASSERT_TRUE(range);
  EXPECT_EQ(range->first, 262144u);
  EXPECT_EQ(range->last, 262153u);
  EXPECT_EQ(range->total, 262154u);
  EXPECT_TRUE(gcs_stand_in::parse_content_range("bytes */0")->status_query);
  EXPECT_FALSE(gcs_stand_in::parse_content_range("bytes 0-262143/*")->total);
  EXPECT_TRUE(gcs_stand_in::parse_content_range("bytes */*")->status_query);
  EXPECT_FALSE(gcs_stand_in::parse_content_range("bytes 0-1/x"));
}

TEST(GcsStandInUnit, ResourcesKeepMetadataOrder) {
  EXPECT_EQ(gcs::upload_resource("p/json/x", {{"encryption-key-id", "k1"}, {"compression-algorithm", "zstd"}}).value(),
            R"({"name":"p/json/x","metadata":{"encryption-key-id":"k1","compression-algorithm":"zstd"}})");
  EXPECT_EQ(gcs::upload_resource("x", {}).value(), R"({"name":"x","metadata":{}})");
  auto bad = gcs::upload_resource("x", {{"k", std::string("\xff", 1)}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);

  auto object = gcs::parse_object(
      R"({"name":"a/b","generation":"17","size":"5","crc32c":"AAAAAA==","metadata":{"x":"1","a":"2"}})");
  ASSERT_TRUE(object);
  EXPECT_EQ(object->name, "a/b");
  EXPECT_EQ(object->generation, "17");
  EXPECT_EQ(object->size, 5u);
  EXPECT_EQ(object->crc32c, "AAAAAA==");
  EXPECT_EQ(storage::metadata_value(object->metadata, "a"), "2");
  EXPECT_FALSE(gcs::parse_object(R"({"kind":"x"})"));

  auto page = gcs::parse_list_page(
      R"({"items":[{"name":"p/a"},{"name":"p/b"}],"prefixes":["p/sub/"],"nextPageToken":"t"})");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->names, (std::vector<std::string>{"p/a", "p/b"}));
  EXPECT_EQ(page->prefixes, (std::vector<std::string>{"p/sub/"}));
  EXPECT_EQ(page->next_page_token, "t");
  EXPECT_EQ(gcs::parse_list_page(R"({"kind":"storage#objects"})")->names.size(), 0u);
  EXPECT_FALSE(gcs::parse_list_page("[]"));

  EXPECT_EQ(gcs::crc32c_base64("123456789"), "4waSgw==");  // 0xe3069283 big-endian
  EXPECT_EQ(gcs::crc32c_base64(""), "AAAAAA==");
}

TEST(GcsStandInUnit, Crc32cIsExtendedPieceByPiece) {
  EXPECT_EQ(gcs::crc32c_extend(codec::crc32c("1234"), "56789"), 0xe3069283u);
  EXPECT_EQ(gcs::crc32c_extend(0, "123456789"), 0xe3069283u);  // 0 = the CRC of nothing
  EXPECT_EQ(gcs::crc32c_extend(0xe3069283u, ""), 0xe3069283u);
  EXPECT_EQ(gcs::crc32c_value_base64(0xe3069283u), "4waSgw==");
  std::string data = random_bytes(3 * 1024 * 1024 + 17, 21);
  for (size_t piece : {size_t{1}, size_t{4093}, size_t{256 * 1024}, size_t{1024 * 1024 + 7}}) {
    uint32_t crc = 0;
    for (size_t offset = 0; offset < data.size(); offset += piece) {
      crc = gcs::crc32c_extend(crc, std::string_view(data).substr(offset, piece));
    }
    EXPECT_EQ(gcs::crc32c_value_base64(crc), gcs::crc32c_base64(data)) << "pieces of " << piece;
  }
}

TEST(GcsStandInUnit, ErrorsNameTheSiteAndClassify) {
  gcs::ErrorContext object{"site-a", "bk", "p/json/x", "objects.get", true};
  gcs::ErrorContext bucket{"site-a", "bk", "", "objects.list", false};
  EXPECT_EQ(gcs::server_message(R"({"error":{"code":404,"message":"No such object: bk/p"}})"), "No such object: bk/p");
  EXPECT_EQ(gcs::server_message(R"({"error":"invalid_grant","error_description":"Invalid JWT Signature."})"),
            "invalid_grant: Invalid JWT Signature.");
  EXPECT_EQ(gcs::server_message("oops\n"), "oops");

  Error e = gcs::http_status_error(object, 401, "Invalid Credentials");
  EXPECT_EQ(e.code, ErrorCode::kForbidden);
  EXPECT_FALSE(e.retryable);
  EXPECT_TRUE(e.message.starts_with("object_storage.storages.site-a: GCS authentication failed: Invalid Credentials"))
      << e.message;
  EXPECT_EQ(gcs::http_status_error(object, 403, "denied").code, ErrorCode::kForbidden);
  e = gcs::http_status_error(object, 404, "No such object: bk/p/json/x");
  EXPECT_EQ(e.code, ErrorCode::kNotFound);
  EXPECT_TRUE(contains(e.message, "'p/json/x'")) << e.message;
  for (const auto& c : {bucket, object}) {
    e = gcs::http_status_error(c, 404, "The specified bucket does not exist.");
    EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(contains(e.message, "object_storage.storages.site-a.bucket_name")) << e.message;
  }
  EXPECT_TRUE(gcs::http_status_error(object, 503, "x").retryable);
  EXPECT_TRUE(gcs::http_status_error(object, 429, "x").retryable);
  EXPECT_EQ(gcs::http_status_error(object, 408, "x").code, ErrorCode::kTimeout);
  EXPECT_FALSE(gcs::http_status_error(object, 400, "x").retryable);
  e = gcs::http_status_error(object, 412, "At least one of the pre-conditions you specified did not hold.");
  EXPECT_EQ(e.code, ErrorCode::kConflict);  // ifGenerationMatch: the object was replaced
  EXPECT_FALSE(e.retryable);
  EXPECT_TRUE(contains(e.message, "GCS precondition failed")) << e.message;

  e = gcs::token_error("site-a", "http://t/token", 400, "invalid_grant: Invalid JWT Signature.");
  EXPECT_EQ(e.code, ErrorCode::kForbidden);
  EXPECT_TRUE(contains(e.message, "object_storage.storages.site-a: GCS authentication failed: invalid_grant: "
                                  "Invalid JWT Signature."))
      << e.message;
  EXPECT_TRUE(gcs::token_error("site-a", "http://t/token", 503, "x").retryable);

  e = gcs::transport_error(object, "http://127.0.0.1:9/storage/v1/b/bk/o/x", CURLE_COULDNT_CONNECT, "refused");
  EXPECT_EQ(e.code, ErrorCode::kUnavailable);
  EXPECT_TRUE(e.retryable);
  EXPECT_TRUE(contains(e.message, "127.0.0.1:9")) << e.message;
  EXPECT_EQ(gcs::transport_error(object, "u", CURLE_OPERATION_TIMEDOUT, "").code, ErrorCode::kTimeout);
  EXPECT_FALSE(gcs::transport_error(object, "u", CURLE_URL_MALFORMAT, "").retryable);
}

config::GoogleStorageConfig config_with(Json credentials) {
  config::GoogleStorageConfig c;
  c.project_id = "p";
  c.bucket_name = "bk";
  c.credentials = std::move(credentials);
  return c;
}

Json good_credentials() {
  return {{"type", "service_account"},
          {"client_email", kStandInEmail},
          {"private_key", stand_in_account_key().private_pem}};
}

std::string factory_error(const config::GoogleStorageConfig& c) {
  auto b = storage::make_gcs_backend("s1", c);
  return b ? "" : b.error().message;
}

TEST(GcsStandInUnit, ConfigErrorsNameTheKey) {
  EXPECT_EQ(factory_error(config_with(good_credentials())), "");
  auto no_bucket = config_with(good_credentials());
  no_bucket.bucket_name = "";
  EXPECT_TRUE(contains(factory_error(no_bucket), "object_storage.storages.s1.bucket_name"));
  auto none = config_with(nullptr);
  none.credentials.reset();
  EXPECT_TRUE(contains(factory_error(none), "object_storage.storages.s1.credentials: credentials or credential_file"));
  Json c = good_credentials();
  c.erase("client_email");
  EXPECT_EQ(factory_error(config_with(c)), "object_storage.storages.s1.credentials.client_email: required");
  c = good_credentials();
  c.erase("private_key");
  EXPECT_EQ(factory_error(config_with(c)), "object_storage.storages.s1.credentials.private_key: required");
  c = good_credentials();
  c["private_key"] = "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n";
  EXPECT_TRUE(factory_error(config_with(c)).starts_with("object_storage.storages.s1.credentials.private_key: "));
  c = good_credentials();
  c["type"] = "authorized_user";
  EXPECT_TRUE(contains(factory_error(config_with(c)), "credentials.type: 'authorized_user' is not supported"));
  auto bad_endpoint = config_with(good_credentials());
  bad_endpoint.endpoint = "127.0.0.1:4443";
  EXPECT_TRUE(contains(factory_error(bad_endpoint), "object_storage.storages.s1.endpoint"));

  TempDir dir;
  auto from_file = config_with(nullptr);
  from_file.credentials.reset();
  from_file.credential_file = (dir.path() / "missing.json").string();
  EXPECT_TRUE(contains(factory_error(from_file), "object_storage.storages.s1.credential_file: cannot read"));
  c = good_credentials();
  c.erase("client_email");
  std::ofstream(*from_file.credential_file) << c.dump();
  EXPECT_TRUE(contains(factory_error(from_file),
                       "credential_file '" + *from_file.credential_file + "': client_email: required"));
  std::ofstream(*from_file.credential_file) << good_credentials().dump();
  EXPECT_EQ(factory_error(from_file), "");
}

TEST(GcsStandInUnit, ServiceAccountDefaultsTokenUri) {
  auto account = gcs::load_service_account("s1", config_with(good_credentials()));
  ASSERT_TRUE(account) << account.error().message;
  EXPECT_EQ(account->token_uri, "https://oauth2.googleapis.com/token");
  EXPECT_EQ(account->client_email, kStandInEmail);
}

TEST(GcsStandInUnit, DescribeNamesBucketEndpointAndSite) {
  auto c = config_with(good_credentials());
  c.prefix = "cluster-1";
  auto b = storage::make_gcs_backend("x", c, storage::GcsBackendOptions{});
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ((*b)->describe(), "gcs bucket 'bk' prefix 'cluster-1/' at https://storage.googleapis.com (site 'x')");
  EXPECT_EQ((*b)->object_name("json/m"), "cluster-1/json/m");
}

TEST(GcsStandInUnit, StandInListsPagesWithPrefixesInNameOrder) {
  gcs_stand_in::Store store({"bk"});
  for (std::string name : {"p/data/a", "p/data/b", "p/data/sub/x", "p/data/sub/y", "p/data/c", "p/data-old/z"}) {
    std::string id = store.start_upload("bk", name, nullptr, 1);
    ASSERT_EQ(store.put(id, *gcs_stand_in::parse_content_range("bytes 0-0/1"), "x").status, 200);
  }
  std::vector<std::string> entries;
  std::string token;
  int pages = 0;
  do {
    auto page = store.list("bk", "p/data/", "/", token, 2);
    for (const auto& item : page.value("items", gcs_stand_in::Json::array())) entries.push_back(item["name"]);
    for (const auto& prefix : page.value("prefixes", gcs_stand_in::Json::array())) entries.push_back(prefix);
    token = page.value("nextPageToken", "");
    ++pages;
  } while (!token.empty());
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries, (std::vector<std::string>{"p/data/a", "p/data/b", "p/data/c", "p/data/sub/"}));
  EXPECT_EQ(pages, 2);
}

TEST(GcsStandInUnit, StandInEnforcesTheChunkRules) {
  gcs_stand_in::Store store({"bk"});
  const size_t q = gcs_stand_in::kChunkQuantum;
  std::string id = store.start_upload("bk", "o", nullptr, 2 * q + 5);
  auto range = [](const std::string& h) { return *gcs_stand_in::parse_content_range(h); };
  EXPECT_EQ(store.put(id, range("bytes 0-99/524293"), std::string(100, 'a')).status, 400);  // not 256 KiB
  EXPECT_EQ(store.put(id, range("bytes 0-262143/524293"), std::string(q, 'a')).status, 308);
  EXPECT_FALSE(store.get("bk", "o"));  // not visible before the last chunk
  EXPECT_EQ(store.put(id, range("bytes 0-262143/524293"), std::string(q, 'a')).status, 400);  // wrong offset
  auto status = store.put(id, range("bytes */524293"), "");
  EXPECT_EQ(status.status, 308);
  EXPECT_EQ(status.persisted, q);
  store.keep_partial(id, range("bytes 262144-524292/524293"), std::string(q + 3, 'b'));  // cut after q+3 bytes
  EXPECT_EQ(store.put(id, range("bytes */524293"), "").persisted, 2 * q);
  auto done = store.put(id, range("bytes 524288-524292/524293"), "ccccc");
  EXPECT_EQ(done.status, 200);
  EXPECT_EQ(done.resource["size"], "524293");
  EXPECT_EQ(store.get("bk", "o")->data, std::string(q, 'a') + std::string(q, 'b') + "ccccc");
  EXPECT_EQ(store.put("nope", range("bytes */1"), "").status, 404);
}

TEST(GcsStandInUnit, StandInTakesChunksOfUnknownTotalAndCancelsSessions) {
  gcs_stand_in::Store store({"bk"});
  const size_t q = gcs_stand_in::kChunkQuantum;
  auto range = [](const std::string& h) { return *gcs_stand_in::parse_content_range(h); };
  std::string id = store.start_upload("bk", "o", nullptr, std::nullopt);
  EXPECT_EQ(store.put(id, range("bytes 0-99/*"), std::string(100, 'a')).status, 400);  // not 256 KiB, not last
  EXPECT_EQ(store.put(id, range("bytes 0-262143/*"), std::string(q, 'a')).status, 308);
  auto status = store.put(id, range("bytes */*"), "");
  EXPECT_EQ(status.status, 308);
  EXPECT_EQ(status.persisted, q);
  EXPECT_EQ(store.open_session_count(), 1u);
  auto done = store.put(id, range("bytes 262144-262148/262149"), "ccccc");  // the last chunk names the total
  EXPECT_EQ(done.status, 200);
  EXPECT_EQ(done.resource["size"], "262149");
  EXPECT_EQ(store.open_session_count(), 0u);
  EXPECT_FALSE(store.cancel_upload(id)) << "a finished upload is not cancelled";
  EXPECT_EQ(store.get("bk", "o")->data, std::string(q, 'a') + "ccccc");

  std::string cancelled = store.start_upload("bk", "p", nullptr, std::nullopt);
  EXPECT_EQ(store.put(cancelled, range("bytes 0-262143/*"), std::string(q, 'b')).status, 308);
  EXPECT_TRUE(store.cancel_upload(cancelled));
  EXPECT_EQ(store.put(cancelled, range("bytes */*"), "").status, 404);  // GCS refuses it too
  EXPECT_FALSE(store.cancel_upload(cancelled));
  EXPECT_FALSE(store.get("bk", "p"));
  EXPECT_EQ(store.open_session_count(), 0u);
}

}  // namespace
}  // namespace astacus::testing
