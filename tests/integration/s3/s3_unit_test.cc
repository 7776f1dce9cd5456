// Unit tests of the S3 backend's pure parts: SigV4 against the AWS documentation examples, URI
// encoding, XML parsing, error classification, settings and key mapping, part planning, backoff.
// No server needed (CTest label `unit`).
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "storage/s3/multipart.h"
#include "storage/s3/retry.h"
#include "storage/s3/s3_config.h"
#include "storage/s3/s3_errors.h"
#include "storage/s3/s3_xml.h"
#include "storage/s3/sigv4.h"

namespace astacus::storage::s3 {
namespace {

// The "Examples of signature calculations" of the AWS S3 API reference
// (sig-v4-header-based-auth.html): same credentials, date and bucket for every example.
const Credentials kDocCredentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
constexpr const char* kDocDate = "20130524T000000Z";
constexpr const char* kDocHost = "examplebucket.s3.amazonaws.com";
constexpr const char* kEmptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(S3UnitSigV4, AwsDocExampleGetObject) {
  SigningRequest r{"GET", "/test.txt", {}, {}, payload_hash("")};
  ASSERT_EQ(r.payload_hash, kEmptySha);
  r.headers = {{"Host", kDocHost}, {"Range", "bytes=0-9"}, {"x-amz-content-sha256", kEmptySha}, {"x-amz-date", kDocDate}};
  Signature sig = sign_v4(r, kDocCredentials, "us-east-1", kDocDate);
  EXPECT_EQ(sig.canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sig.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(sig.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(S3UnitSigV4, AwsDocExamplePutObjectEncodesDollarInPath) {
  std::string hash = payload_hash("Welcome to Amazon S3.");
  ASSERT_EQ(hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigningRequest r{"PUT", "/" + uri_encode("test$file.text", false), {}, {}, hash};
  r.headers = {{"Host", kDocHost},
               {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-date", kDocDate},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
               {"x-amz-content-sha256", hash}};
  Signature sig = sign_v4(r, kDocCredentials, "us-east-1", kDocDate);
  EXPECT_TRUE(sig.canonical_request.starts_with("PUT\n/test%24file.text\n")) << sig.canonical_request;
  EXPECT_EQ(sig.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(S3UnitSigV4, AwsDocExampleListObjectsSortsQuery) {
  SigningRequest r{"GET", "/", {{"prefix", "J"}, {"max-keys", "2"}}, {}, kEmptySha};
  r.headers = {{"Host", kDocHost}, {"x-amz-date", kDocDate}, {"x-amz-content-sha256", kEmptySha}};
  EXPECT_EQ(sign_v4(r, kDocCredentials, "us-east-1", kDocDate).signature,
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(S3UnitSigV4, AwsDocExampleLifecycleValuelessParameter) {
  SigningRequest r{"GET", "/", {{"lifecycle", ""}}, {}, kEmptySha};
  r.headers = {{"Host", kDocHost}, {"x-amz-date", kDocDate}, {"x-amz-content-sha256", kEmptySha}};
  EXPECT_EQ(sign_v4(r, kDocCredentials, "us-east-1", kDocDate).signature,
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(S3UnitSigV4, SessionTokenAndMetadataAreSignedHeaders) {
  SigningRequest r{"PUT", "/b/k", {}, {}, kEmptySha};
  r.headers = {{"host", "h"}, {"x-amz-date", kDocDate}, {"x-amz-security-token", "tok"}, {"x-amz-meta-b", "  two  spaces "},
               {"X-Amz-Meta-A", "1"}};
  Signature sig = sign_v4(r, kDocCredentials, "eu-west-1", kDocDate);
  EXPECT_NE(sig.authorization.find("SignedHeaders=host;x-amz-date;x-amz-meta-a;x-amz-meta-b;x-amz-security-token,"),
            std::string::npos)
      << sig.authorization;
  EXPECT_NE(sig.canonical_request.find("x-amz-meta-b:two spaces\n"), std::string::npos);
  EXPECT_NE(sig.authorization.find("/20130524/eu-west-1/s3/aws4_request"), std::string::npos);
}

TEST(S3UnitSigV4, AmzDate) {
  EXPECT_EQ(amz_date(std::chrono::system_clock::from_time_t(1369353600)), "20130524T000000Z");
  EXPECT_EQ(amz_date(std::chrono::system_clock::from_time_t(1795587890)), "20261125T062450Z");
}

TEST(S3UnitUri, EncodesEverythingButUnreserved) {
  EXPECT_EQ(uri_encode("json/backup-2026-11-25T06:24:50+00:00", false), "json/backup-2026-11-25T06%3A24%3A50%2B00%3A00");
  EXPECT_EQ(uri_encode("a b/c~d_e.f-g", false), "a%20b/c~d_e.f-g");
  EXPECT_EQ(uri_encode("a/b", true), "a%2Fb");
  EXPECT_EQ(uri_encode("100%=&?#", true), "100%25%3D%26%3F%23");
  EXPECT_EQ(uri_encode("ünï ✓", false), "%C3%BCn%C3%AF%20%E2%9C%93");
}

TEST(S3UnitUri, CanonicalQuerySortsAndEncodes) {
  EXPECT_EQ(canonical_query({{"uploadId", "a/b+c=="}, {"partNumber", "2"}}), "partNumber=2&uploadId=a%2Fb%2Bc%3D%3D");
  EXPECT_EQ(canonical_query({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(canonical_query({{"prefix", "json/"}, {"list-type", "2"}, {"delimiter", "/"}}),
            "delimiter=%2F&list-type=2&prefix=json%2F");
  EXPECT_EQ(canonical_query({}), "");
}

TEST(S3UnitXml, DecodesEntities) {
  EXPECT_EQ(xml_decode("a&amp;b&lt;c&gt;d&quot;e&apos;f"), "a&b<c>d\"e'f");
  EXPECT_EQ(xml_decode("&#43;&#x2B;&#xE9;&#x2713;"), "++\xC3\xA9\xE2\x9C\x93");
  EXPECT_EQ(xml_decode("a & b &bogus; &#xZZ; &"), "a & b &bogus; &#xZZ; &");
  EXPECT_EQ(xml_escape("<a&'\">"), "&lt;a&amp;&apos;&quot;&gt;");
}

TEST(S3UnitXml, ParsesListPage) {
  const char* body = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/json/</Prefix>
<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>
<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=&amp;x</NextContinuationToken>
<Contents><Key>p/json/backup-2026-11-25T06:24:50+00:00</Key><LastModified>2026-11-25T06:24:51.000Z</LastModified>
<ETag>&quot;abc&quot;</ETag><Size>10</Size><StorageClass>STANDARD</StorageClass></Contents>
<Contents><Key>p/json/a&amp;b &lt;c&gt;</Key><Size>1</Size></Contents>
<CommonPrefixes><Prefix>p/json/sub/</Prefix></CommonPrefixes></ListBucketResult>)";
  auto page = parse_list_page(body);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->keys.size(), 2u);
  EXPECT_EQ(page->keys[0], "p/json/backup-2026-11-25T06:24:50+00:00");
  EXPECT_EQ(page->keys[1], "p/json/a&b <c>");
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=&x");
}

TEST(S3UnitXml, ParsesLastAndEmptyPages) {
  auto page = parse_list_page("<ListBucketResult><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->keys.empty());
  EXPECT_FALSE(page->truncated);
  EXPECT_FALSE(parse_list_page("<Error><Code>NoSuchBucket</Code></Error>"));
  EXPECT_FALSE(parse_list_page("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"));
}

TEST(S3UnitXml, ParsesErrorsUploadIdsAndSelfClosingTags) {
  auto e = parse_error_body(
      "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The key &apos;x&apos; does not exist</Message>"
      "<Key>x</Key></Error>");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "NoSuchKey");
  EXPECT_EQ(e->message, "The key 'x' does not exist");
  EXPECT_FALSE(parse_error_body("<ListBucketResult/>"));
  EXPECT_FALSE(parse_error_body(""));
  auto id = parse_upload_id("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2Fk&amp;</UploadId>"
                            "</InitiateMultipartUploadResult>");
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "VXBsb2Fk&");
  EXPECT_FALSE(parse_upload_id("<InitiateMultipartUploadResult/>"));
  EXPECT_EQ(xml_text("<A><Key/><Key>x</Key></A>", "Key"), "");
  EXPECT_EQ(xml_elements("<A><Key>1</Key><KeyCount>2</KeyCount><Key attr=\"v\">3</Key></A>", "Key").size(), 2u);
  EXPECT_EQ(complete_multipart_body({"\"e1\"", "\"e2\""}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part></CompleteMultipartUpload>");
}

const RequestContext kCtx{"main", "bkt", "s3 bucket 'bkt' at http://127.0.0.1:1 (site 'main')", "GET", "p/data/k"};

TEST(S3UnitErrors, ClassifiesResponses) {
  Error e = response_error(kCtx, 404, "<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>");
  EXPECT_EQ(e.code, ErrorCode::kNotFound);
  EXPECT_FALSE(e.retryable);
  EXPECT_NE(e.message.find("p/data/k"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("NoSuchKey"), std::string::npos) << e.message;
  EXPECT_EQ(response_error(kCtx, 404, "").code, ErrorCode::kNotFound);

  e = response_error(kCtx, 404, "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>");
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(e.retryable);
  EXPECT_NE(e.message.find("bucket 'bkt' does not exist"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("object_storage.storages.main.bucket_name"), std::string::npos) << e.message;

  for (const char* code : {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied"}) {
    e = response_error(kCtx, 403, fmt::format("<Error><Code>{}</Code><Message>m</Message></Error>", code));
    EXPECT_EQ(e.code, ErrorCode::kForbidden) << code;
    EXPECT_FALSE(e.retryable);
    EXPECT_NE(e.message.find("site 'main'"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("aws_access_key_id"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("aws_secret_access_key"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find(code), std::string::npos) << e.message;
  }
  EXPECT_EQ(response_error(kCtx, 403, "").code, ErrorCode::kForbidden);

  for (int status : {500, 502, 503}) {
    e = response_error(kCtx, status, "");
    EXPECT_EQ(e.code, ErrorCode::kUnavailable);
    EXPECT_TRUE(e.retryable) << status;
  }
  e = response_error(kCtx, 503, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>");
  EXPECT_TRUE(e.retryable);
  EXPECT_NE(e.message.find("SlowDown: Please reduce your request rate."), std::string::npos) << e.message;
  EXPECT_TRUE(response_error(kCtx, 400, "<Error><Code>RequestTimeout</Code></Error>").retryable);
  e = response_error(kCtx, 400, "<Error><Code>EntityTooSmall</Code></Error>");
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(e.retryable);
  // A read pinned with If-Match to a version that was replaced since.
  e = response_error(kCtx, 412, "<Error><Code>PreconditionFailed</Code><Message>m</Message></Error>");
  EXPECT_EQ(e.code, ErrorCode::kConflict);
  EXPECT_FALSE(e.retryable);
  EXPECT_NE(e.message.find("changed while it was being read"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("p/data/k"), std::string::npos) << e.message;
  e = response_error(kCtx, 301, "<Error><Code>PermanentRedirect</Code></Error>");
  EXPECT_NE(e.message.find("object_storage.storages.main.region"), std::string::npos) << e.message;
  // CompleteMultipartUpload can fail inside a 200.
  EXPECT_TRUE(response_error(kCtx, 200, "<Error><Code>InternalError</Code></Error>").retryable);
}

TEST(S3UnitErrors, ClassifiesTransportFailures) {
  Error e = transport_error(kCtx, CURLE_COULDNT_CONNECT, "Failed to connect to 127.0.0.1 port 1");
  EXPECT_EQ(e.code, ErrorCode::kUnavailable);
  EXPECT_TRUE(e.retryable);
  EXPECT_NE(e.message.find("http://127.0.0.1:1"), std::string::npos) << e.message;
  e = transport_error(kCtx, CURLE_OPERATION_TIMEDOUT, "");
  EXPECT_EQ(e.code, ErrorCode::kTimeout);
  EXPECT_TRUE(e.retryable);
  EXPECT_TRUE(transport_error(kCtx, CURLE_SEND_ERROR, "").retryable);
  EXPECT_TRUE(transport_error(kCtx, CURLE_GOT_NOTHING, "").retryable);
  EXPECT_FALSE(transport_error(kCtx, CURLE_PEER_FAILED_VERIFICATION, "").retryable);
}

config::S3StorageConfig custom_config() {
  config::S3StorageConfig c;
  c.region = "us-east-1";
  c.bucket_name = "bkt";
  c.aws_access_key_id = "id";
  c.aws_secret_access_key = "secret";
  c.host = "127.0.0.1";
  c.port = 9000;
  return c;
}

TEST(S3UnitSettings, CustomEndpointPathAndVirtualStyle) {
  auto s = resolve_settings("main", custom_config());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->endpoint.origin(), "http://127.0.0.1:9000");
  EXPECT_EQ(s->endpoint.host_header("bkt"), "127.0.0.1:9000");
  EXPECT_EQ(s->endpoint.path("bkt", "json/backup-2026-11-25T06:24:50+00:00"),
            "/bkt/json/backup-2026-11-25T06%3A24%3A50%2B00%3A00");
  EXPECT_EQ(s->endpoint.path("bkt", ""), "/bkt");
  EXPECT_FALSE(s->verify_tls);
  EXPECT_EQ(s->connect_timeout, std::chrono::milliseconds(10000));
  EXPECT_EQ(s->read_timeout, std::chrono::milliseconds(60000));
  EXPECT_EQ(s->part_size, 8 * kMiB);

  auto c = custom_config();
  c.addressing_style = "virtual";
  c.is_secure = true;
  c.host = "minio.local";
  c.port = 443;
  c.connect_timeout = 2.5;
  c.read_timeout = 7;
  c.segment_size = 16 * kMiB;
  s = resolve_settings("main", c);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->endpoint.origin(), "https://minio.local:443");
  EXPECT_EQ(s->endpoint.host_header("bkt"), "bkt.minio.local");
  EXPECT_EQ(s->endpoint.path("bkt", "a b"), "/a%20b");
  EXPECT_EQ(s->endpoint.path("bkt", ""), "/");
  EXPECT_EQ(s->connect_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(s->read_timeout, std::chrono::milliseconds(7000));
  EXPECT_EQ(s->part_size, 16 * kMiB);
}

TEST(S3UnitSettings, AwsEndpointForTheRegion) {
  auto c = custom_config();
  c.host.reset();  // host without port (or port without host) is no custom endpoint
  c.region = "eu-north-1";
  c.use_dualstack_endpoint = false;
  auto s = resolve_settings("main", c);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->endpoint.origin(), "https://s3.eu-north-1.amazonaws.com");
  EXPECT_EQ(s->endpoint.host_header("bkt"), "bkt.s3.eu-north-1.amazonaws.com");
  EXPECT_TRUE(s->verify_tls);
  c.use_dualstack_endpoint = true;
  c.bucket_name = "Not.Dns";
  s = resolve_settings("main", c);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->endpoint.origin(), "https://s3.dualstack.eu-north-1.amazonaws.com");
  EXPECT_EQ(s->endpoint.path("Not.Dns", "k"), "/Not.Dns/k");
}

TEST(S3UnitSettings, ErrorsNameTheConfigKey) {
  auto expect_error = [](config::S3StorageConfig c, const std::string& key) {
    auto s = resolve_settings("site1", c);
    ASSERT_FALSE(s) << key;
    EXPECT_NE(s.error().message.find(key), std::string::npos) << s.error().message;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  };
  auto c = custom_config();
  c.region = "";
  expect_error(c, "object_storage.storages.site1.region");
  c = custom_config();
  c.bucket_name = "";
  expect_error(c, "object_storage.storages.site1.bucket_name");
  c = custom_config();
  c.aws_secret_access_key.reset();
  expect_error(c, "object_storage.storages.site1");
  c = custom_config();
  c.addressing_style = "sideways";
  expect_error(c, "object_storage.storages.site1.addressing_style");
  c = custom_config();
  c.read_timeout = 0;
  expect_error(c, "object_storage.storages.site1.read_timeout");
  c = custom_config();
  c.segment_size = 1024;
  expect_error(c, "object_storage.storages.site1.segment_size");
  c = custom_config();
  c.proxy_info = config::ProxyInfo{"ftp", "h", 1, std::nullopt, std::nullopt};
  expect_error(c, "object_storage.storages.site1.proxy_info.type");
}

TEST(S3UnitSettings, CredentialsFromTheEnvironmentWhenNotConfigured) {
  auto c = custom_config();
  c.aws_access_key_id.reset();
  c.aws_secret_access_key.reset();
  ::setenv("AWS_ACCESS_KEY_ID", "envid", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
  ::setenv("AWS_SESSION_TOKEN", "envtoken", 1);
  auto s = resolve_settings("main", c);
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ::unsetenv("AWS_SESSION_TOKEN");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->credentials.access_key_id, "envid");
  EXPECT_EQ(s->credentials.session_token, "envtoken");
  s = resolve_settings("main", c);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("object_storage.storages.main.aws_access_key_id"), std::string::npos);
}

TEST(S3UnitKeys, PrefixAndKeyMapping) {
  EXPECT_EQ(normalize_prefix(""), "");
  EXPECT_EQ(normalize_prefix("/"), "");
  EXPECT_EQ(normalize_prefix("/a/b"), "a/b/");
  EXPECT_EQ(normalize_prefix("a/b/"), "a/b/");
  EXPECT_EQ(object_key("a/b/", "data/x"), "a/b/data/x");
  EXPECT_EQ(object_key("", "/data/x/"), "data/x");
  EXPECT_EQ(object_key("p/", "json/backup-2026-11-25T06:24:50+00:00"), "p/json/backup-2026-11-25T06:24:50+00:00");
}

TEST(S3UnitMultipart, PlansParts) {
  auto p = plan_parts(12 * kMiB + 1, 5 * kMiB);
  EXPECT_EQ(p.part_size, 5 * kMiB);
  EXPECT_EQ(p.parts, 3u);
  p = plan_parts(10 * kMiB, 5 * kMiB);
  EXPECT_EQ(p.parts, 2u);
  // More than 10 000 parts of the configured size: parts grow instead.
  p = plan_parts(uint64_t{100000} * 5 * kMiB, 5 * kMiB);
  EXPECT_EQ(p.parts, 10000u);
  EXPECT_EQ(p.part_size, 50 * kMiB);
}

TEST(S3UnitMultipart, EtagOfACompletedUpload) {
  // md5("part one"), md5("part two"); expected value from Python's hashlib.
  EXPECT_EQ(multipart_etag({"\"3303e12af474ca11d85ed2966a932992\"", "3ea4e15b91a17dc76052c56cfcdf67a2"}),
            "0732917abc3288784e318ac0aab1757a-2");
  EXPECT_EQ(multipart_etag({"not-hex"}), "");
}

TEST(S3UnitMultipart, RunningMd5OfPieces) {
  Md5Hasher md5;
  for (const char* piece : {"pa", "", "rt o", "ne"}) md5.update(piece);
  EXPECT_EQ(md5.finish_hex(), "3303e12af474ca11d85ed2966a932992");  // md5("part one")
}

TEST(S3UnitRetry, BackoffGrowsWithJitterAndCap) {
  RetryPolicy p;
  p.initial_backoff = std::chrono::milliseconds(100);
  p.max_backoff = std::chrono::milliseconds(1000);
  for (int i = 0; i < 50; ++i) {
    auto d2 = backoff_delay(p, 2).count(), d3 = backoff_delay(p, 3).count(), d9 = backoff_delay(p, 9).count();
    EXPECT_TRUE(d2 >= 50 && d2 <= 100) << d2;
    EXPECT_TRUE(d3 >= 100 && d3 <= 200) << d3;
    EXPECT_TRUE(d9 >= 500 && d9 <= 1000) << d9;
  }
}

TEST(S3UnitRetry, StopsOnSuccessPermanentErrorsAttemptsAndDeadline) {
  RetryPolicy p;
  p.max_attempts = 4;
  p.initial_backoff = std::chrono::milliseconds(1);
  int calls = 0;
  std::function<Result<int>(Clock::time_point)> flaky = [&](Clock::time_point) -> Result<int> {
    if (++calls < 3) return make_error(ErrorCode::kUnavailable, "down", true);
    return 7;
  };
  EXPECT_EQ(with_retries<int>(p, flaky).value(), 7);
  EXPECT_EQ(calls, 3);

  calls = 0;
  std::function<Result<int>(Clock::time_point)> permanent = [&](Clock::time_point) -> Result<int> {
    ++calls;
    return make_error(ErrorCode::kForbidden, "no", false);
  };
  EXPECT_FALSE(with_retries<int>(p, permanent));
  EXPECT_EQ(calls, 1);

  calls = 0;
  std::function<Result<int>(Clock::time_point)> down = [&](Clock::time_point) -> Result<int> {
    ++calls;
    return make_error(ErrorCode::kUnavailable, "down", true);
  };
  auto r = with_retries<int>(p, down);
  ASSERT_FALSE(r);
  EXPECT_EQ(calls, 4);
  EXPECT_TRUE(r.error().retryable);
  EXPECT_NE(r.error().message.find("after 4 attempts"), std::string::npos) << r.error().message;

  calls = 0;
  p.max_attempts = 100;
  p.initial_backoff = std::chrono::milliseconds(50);
  p.deadline = std::chrono::milliseconds(120);
  r = with_retries<int>(p, down);
  ASSERT_FALSE(r);
  EXPECT_LT(calls, 5);
  EXPECT_NE(r.error().message.find("deadline"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace astacus::storage::s3
