#pragma once
// A request with retries and S3 error classification: the unit every backend operation uses.
// Thread-safe (as Client::send).

#include "base/result.h"
#include "storage/s3/retry.h"
#include "storage/s3/s3_client.h"

namespace astacus::storage::s3 {

/// Sends `request` until it succeeds or retrying cannot help (retry.h). A status >= 300, or a
/// 2xx whose body is an S3 <Error> document (CompleteMultipartUpload may answer so), becomes a
/// classified error (s3_errors.h). Each retry is logged as a warning.
Result<Response> call(Client& client, const RetryPolicy& policy, const Request& request);

}  // namespace astacus::storage::s3
