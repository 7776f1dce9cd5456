// Pure unit tests of the Azure pieces: Shared Key string-to-sign and signature, RFC 1123 dates,
// endpoint and blob naming, URI encoding, XML extraction, error classification, config checks.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include "base/encoding.h"
#include "storage/azure/azure_backend.h"
#include "storage/azure/azure_client.h"
#include "storage/azure/azure_errors.h"
#include "storage/azure/azure_names.h"
#include "storage/azure/azure_xml.h"
#include "storage/azure/shared_key_auth.h"
#include "support/services.h"

namespace astacus::storage::azure {
namespace {

const std::string kDate = "Sun, 11 Oct 2009 21:49:13 GMT";

std::string dev_key() { return base64_decode(testing::kAzuriteKey).value(); }

// The "Get Container Metadata" example of Microsoft's "Authorize with Shared Key" page
// (version 2015-02-21 and later layout).
TEST(AzureSharedKey, StringToSignOfTheDocumentationExample) {
  SignableRequest r{"GET",
                    "/mycontainer",
                    {{"restype", "container"}, {"comp", "metadata"}, {"timeout", "20"}},
                    {{"x-ms-version", "2009-09-19"}, {"x-ms-date", kDate}},
                    0};
  EXPECT_EQ(string_to_sign("myaccount", r),
            "GET\n\n\n\n\n\n\n\n\n\n\n\n"
            "x-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\nx-ms-version:2009-09-19\n"
            "/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20");
  // Signature computed independently:
  //   printf '<string above>' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<dev key hex> -binary | base64
  EXPECT_EQ(hmac_sha256_base64(dev_key(), string_to_sign("myaccount", r)),
            "m649E40iEJ3QQyCg9/WI2Fa9zS+RB/2rEBcLJb0CKs0=");
}

// The documentation's canonicalized-resource example with a repeated parameter:
// ?restype=container&comp=list&include=snapshots&include=metadata&include=uncommittedblobs
TEST(AzureSharedKey, RepeatedQueryParametersAreSortedAndJoined) {
  SignableRequest r{"GET",
                    "/mycontainer",
                    {{"restype", "container"},
                     {"comp", "list"},
                     {"include", "snapshots"},
                     {"include", "metadata"},
                     {"include", "uncommittedblobs"}},
                    {},
                    0};
  std::string sts = string_to_sign("myaccount", r);
  EXPECT_TRUE(
      sts.ends_with("\n/myaccount/mycontainer\ncomp:list\ninclude:metadata,snapshots,uncommittedblobs\n"
                    "restype:container"))
      << sts;
}

TEST(AzureSharedKey, PutBlobWithMetadataOnThePathStyleEmulatorEndpoint) {
  SignableRequest r{"PUT",
                    "/devstoreaccount1/backups/data/ab%3Ac%2Bd",
                    {},
                    {{"Content-Type", "application/octet-stream"},
                     {"x-ms-version", "2021-08-06"},
                     {"X-MS-Meta-compression_algorithm", "  zstd "},
                     {"x-ms-blob-type", "BlockBlob"},
                     {"x-ms-date", kDate}},
                    11};
  std::string expected =
      "PUT\n\n\n11\n\napplication/octet-stream\n\n\n\n\n\n\n"
      "x-ms-blob-type:BlockBlob\nx-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\n"
      "x-ms-meta-compression_algorithm:zstd\nx-ms-version:2021-08-06\n"
      "/devstoreaccount1/devstoreaccount1/backups/data/ab%3Ac%2Bd";
  EXPECT_EQ(string_to_sign("devstoreaccount1", r), expected);
  // printf '<expected>' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<dev key hex> -binary | base64
  EXPECT_EQ(shared_key_authorization("devstoreaccount1", dev_key(), r),
            "SharedKey devstoreaccount1:V/UHnhYKIpQniEOKEgg6z+Uy7km/V0JKKfAoqTdnlrQ=");
}

TEST(AzureSharedKey, ZeroContentLengthIsSignedAsEmptyAndWhitespaceIsFolded) {
  SignableRequest r{"DELETE", "/c/b", {}, {{"x-ms-meta-a", "x \t  y"}}, 0};
  EXPECT_EQ(string_to_sign("acct", r), "DELETE\n\n\n\n\n\n\n\n\n\n\n\nx-ms-meta-a:x y\n/acct/c/b");
}

TEST(AzureSharedKey, Rfc1123Date) {
  EXPECT_EQ(rfc1123_date(std::chrono::system_clock::from_time_t(1255297753)), kDate);
  EXPECT_EQ(rfc1123_date(std::chrono::system_clock::from_time_t(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST(AzureNames, EndpointFromHostPortOrCloud) {
  config::AzureStorageConfig c;
  c.account_name = "acct";
  EXPECT_EQ(endpoint_of(c).url(), "https://acct.blob.core.windows.net");
  c.azure_cloud = "germany";
  EXPECT_EQ(endpoint_of(c).url(), "https://acct.blob.core.cloudapi.de");
  c.azure_cloud = "china";
  c.is_secure = false;
  EXPECT_EQ(endpoint_of(c).url(), "http://acct.blob.core.chinacloudapi.cn");
  c.azure_cloud = "public";
  c.is_secure = true;
  EXPECT_EQ(endpoint_of(c).url(), "https://acct.blob.core.windows.net");
  EXPECT_EQ(endpoint_of(c).base_path, "");
  c.host = "127.0.0.1";
  c.port = 10000;
  EXPECT_EQ(endpoint_of(c).url(), "https://127.0.0.1:10000/acct");
  c.is_secure = false;
  EXPECT_EQ(endpoint_of(c).origin, "http://127.0.0.1:10000");
  EXPECT_EQ(endpoint_of(c).base_path, "/acct");
}

TEST(AzureNames, PrefixAndKeysFollowRohmu) {
  EXPECT_EQ(normalize_prefix(""), "");
  EXPECT_EQ(normalize_prefix("/"), "");
  EXPECT_EQ(normalize_prefix("//a/b"), "a/b/");
  EXPECT_EQ(normalize_prefix("a/b/"), "a/b/");
  EXPECT_EQ(blob_name("", "data/x"), "data/x");
  EXPECT_EQ(blob_name("p/", "data/x/"), "p/data/x");
  EXPECT_EQ(blob_name("", "/json/y"), "json/y");
  EXPECT_EQ(list_prefix("", ""), "");
  EXPECT_EQ(list_prefix("", "data"), "data/");
  EXPECT_EQ(list_prefix("", "data/"), "data/");
  EXPECT_EQ(list_prefix("p/", "json"), "p/json/");
  EXPECT_EQ(list_prefix("p/", ""), "p/");
}

TEST(AzureNames, UriEncoding) {
  EXPECT_EQ(uri_encode("json/backup-2024-01-01T00:00:00+00:00", true),
            "json/backup-2024-01-01T00%3A00%3A00%2B00%3A00");
  EXPECT_EQ(uri_encode("a b/c~_.-", false), "a%20b%2Fc~_.-");
  EXPECT_EQ(uri_encode("\xc3\xbc", true), "%C3%BC");
}

ClientOptions client_options(std::string sas) {
  ClientOptions o;
  o.site = "az";
  o.account = "acct";
  o.container = "c";
  o.endpoint = {"http://127.0.0.1:1", "/acct"};
  o.sas_token = std::move(sas);
  return o;
}

TEST(AzureClient, SasTokenIsAppendedToTheQuery) {
  Client client(client_options("?sv=2021-08-06&ss=b&sig=a%2Bb%3D"));
  EXPECT_EQ(client.url({"Get Blob", "GET", "data/a:b+c", {}, {}, {}}),
            "http://127.0.0.1:1/acct/c/data/a%3Ab%2Bc?sv=2021-08-06&ss=b&sig=a%2Bb%3D");
  EXPECT_EQ(client.url({"List Blobs", "GET", "", {{"restype", "container"}, {"prefix", "p q/"}}, {}, {}}),
            "http://127.0.0.1:1/acct/c?restype=container&prefix=p%20q%2F&sv=2021-08-06&ss=b&sig=a%2Bb%3D");
  Client keyed(client_options(""));
  EXPECT_EQ(keyed.url({"Get Blob", "GET", "x", {}, {}, {}}), "http://127.0.0.1:1/acct/c/x");
}

TEST(AzureXml, ListBlobsPageWithPrefixesEntitiesAndMarker) {
  std::string xml =
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>"
      "<EnumerationResults ServiceEndpoint=\"http://x/\" ContainerName=\"c\"><Prefix>data/</Prefix>"
      "<MaxResults>2</MaxResults><Delimiter>/</Delimiter><Blobs>"
      "<Blob><Name>data/a&amp;b&lt;&#x41;&#66;</Name><Properties><Content-Length>3</Content-Length>"
      "</Properties></Blob>"
      "<BlobPrefix><Name>data/sub/</Name></BlobPrefix>"
      "<Blob><Name Encoded=\"true\">data/%EF%BF%BEx</Name><Properties/></Blob>"
      "</Blobs><NextMarker>2!84!MDAwMDE5IWRhdGEvYiEwMDAwMjgh</NextMarker></EnumerationResults>";
  auto page = parse_list_blobs(xml).value();
  ASSERT_EQ(page.blobs.size(), 2u);
  EXPECT_EQ(page.blobs[0], "data/a&b<AB");
  EXPECT_EQ(page.blobs[1], "data/\xEF\xBF\xBEx");
  EXPECT_EQ(page.prefixes, std::vector<std::string>{"data/sub/"});
  EXPECT_EQ(page.next_marker, "2!84!MDAwMDE5IWRhdGEvYiEwMDAwMjgh");
}

TEST(AzureXml, LastAndEmptyPages) {
  auto empty = parse_list_blobs("<EnumerationResults><Blobs /><NextMarker /></EnumerationResults>").value();
  EXPECT_TRUE(empty.blobs.empty());
  EXPECT_EQ(empty.next_marker, "");
  EXPECT_FALSE(parse_list_blobs("<html>proxy error</html>").has_value());
}

TEST(AzureXml, UnescapeKeepsUnknownReferences) {
  EXPECT_EQ(xml_unescape("&quot;&apos;&gt;&#233;&#x1F600;&bogus;&#xZZ;&"),
            "\"'>\xC3\xA9\xF0\x9F\x98\x80&bogus;&#xZZ;&");
  EXPECT_EQ(xml_escape("<a&'\">"), "&lt;a&amp;&apos;&quot;&gt;");
}

TEST(AzureXml, ErrorBodyAndBlockList) {
  auto e = parse_error_body(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ContainerNotFound</Code>"
      "<Message>The specified container does not exist.\nRequestId:1\nTime:2</Message></Error>");
  EXPECT_EQ(e.code, "ContainerNotFound");
  EXPECT_EQ(e.message, "The specified container does not exist.");
  EXPECT_EQ(parse_error_body("").code, "");
  EXPECT_EQ(block_list_xml({"QQ==", "Qg=="}),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList><Latest>QQ==</Latest><Latest>Qg==</Latest>"
            "</BlockList>");
}

ErrorContext context() { return {"az", "acct", "backups", "data/x", "Get Blob"}; }

TEST(AzureErrors, Classification) {
  auto not_found = http_status_error(context(), 404, {"BlobNotFound", "The specified blob does not exist."});
  EXPECT_EQ(not_found.code, ErrorCode::kNotFound);
  EXPECT_FALSE(not_found.retryable);
  EXPECT_NE(not_found.message.find("'data/x'"), std::string::npos) << not_found.message;

  auto container = http_status_error(context(), 404, {"ContainerNotFound", "nope"});
  EXPECT_EQ(container.code, ErrorCode::kInvalidArgument);
  EXPECT_NE(container.message.find("container 'backups'"), std::string::npos) << container.message;
  EXPECT_NE(container.message.find("object_storage.storages.az.bucket_name"), std::string::npos);

  auto auth = http_status_error(context(), 403, {"AuthenticationFailed", "Server failed to authenticate"});
  EXPECT_FALSE(auth.retryable);
  EXPECT_NE(auth.message.find("azure site 'az'"), std::string::npos) << auth.message;
  EXPECT_NE(auth.message.find("account_key / sas_token"), std::string::npos) << auth.message;

  for (auto [status, code] : std::vector<std::pair<int, std::string>>{
           {500, "InternalError"}, {503, "ServerBusy"}, {500, "OperationTimedOut"}, {429, ""}, {408, ""}}) {
    auto e = http_status_error(context(), status, {code, "m"});
    EXPECT_TRUE(e.retryable) << status << code;
    EXPECT_NE(e.message.find("HTTP " + std::to_string(status)), std::string::npos) << e.message;
  }
  EXPECT_EQ(http_status_error(context(), 500, {"OperationTimedOut", ""}).code, ErrorCode::kTimeout);
  auto changed = http_status_error(context(), 412, {"ConditionNotMet", "The condition specified ... not met."});
  EXPECT_EQ(changed.code, ErrorCode::kConflict);
  EXPECT_FALSE(changed.retryable);
  EXPECT_NE(changed.message.find("'data/x'"), std::string::npos) << changed.message;
  auto bad = http_status_error(context(), 400, {"InvalidHeaderValue", "bad header"});
  EXPECT_FALSE(bad.retryable);
  EXPECT_NE(bad.message.find("HTTP 400 InvalidHeaderValue: bad header"), std::string::npos) << bad.message;

  EXPECT_TRUE(transport_error(context(), "http://x", CURLE_COULDNT_CONNECT, "refused").retryable);
  EXPECT_EQ(transport_error(context(), "http://x", CURLE_OPERATION_TIMEDOUT, "t").code, ErrorCode::kTimeout);
  EXPECT_FALSE(transport_error(context(), "http://x", CURLE_PEER_FAILED_VERIFICATION, "cert").retryable);
}

TEST(AzureConfig, MissingOrBadSettingsNameTheKey) {
  config::AzureStorageConfig c;
  c.account_name = "acct";
  c.bucket_name = "b";
  auto none = make_azure_backend("az", c);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("object_storage.storages.az.account_key"), std::string::npos);
  c.account_key = "not base64!";
  auto bad = make_azure_backend("az", c);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("account_key"), std::string::npos);
  c.account_key = testing::kAzuriteKey;
  c.bucket_name = "";
  auto no_bucket = make_azure_backend("az", c);
  ASSERT_FALSE(no_bucket);
  EXPECT_NE(no_bucket.error().message.find("object_storage.storages.az.bucket_name"), std::string::npos);
  c.bucket_name = "b";
  c.host = "127.0.0.1";
  c.port = 10000;
  c.is_secure = false;
  c.prefix = "/site/";
  auto ok = make_azure_backend("x", c);
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ((*ok)->describe(),
            "azure container 'b' prefix 'site/' at http://127.0.0.1:10000/acct (site 'x')");
  c.prefix = "";
  c.account_key.reset();
  c.sas_token = "sv=x&sig=y";
  EXPECT_EQ(make_azure_backend("x", c).value()->describe(),
            "azure container 'b' at http://127.0.0.1:10000/acct (site 'x')");
}

}  // namespace
}  // namespace astacus::storage::azure
