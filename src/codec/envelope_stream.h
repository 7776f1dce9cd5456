#pragma once
// Streaming (chunk-by-chunk) versions of the two encryption envelopes: rohmu "pghoa1"
// (rsa_envelope.h) and the opt-in "astdk1" data-key envelope (data_key_envelope.h). They write
// and accept exactly the bytes the whole-buffer functions do, through the StreamTransform
// interface of stream.h, so a multi-GB object needs a few MiB of memory instead of twice its size.
//
// Memory: each transform owns one AES-CTR and one HMAC-SHA256 context and one output buffer of at
// most 1 MiB; every sink write is at most 1 MiB whatever the input chunk size. A decryptor also
// keeps the object's header (magic, length, RSA block, nonce: < 64 KiB + 24 bytes) and the last
// 32 bytes seen.
//
// Where the streaming decryptors necessarily differ from the whole-buffer ones:
//  - They write plaintext to the sink BEFORE the tag can be checked: only the last 32 bytes seen
//    are held back (they may be the tag). finish() compares the tag (CRYPTO_memcmp) and returns
//    Corruption on a mismatch ("Integrity check failed" for pghoa1, "data-key object:
//    authentication tag mismatch" for astdk1) or on truncation (the same messages as the
//    whole-buffer functions); the caller must then discard everything the sink received.
//  - The RSA unwrap happens in the update() that completes the header (header bytes may arrive
//    split across calls of any size, even 1 byte), so a wrong private key or a corrupt key block
//    is reported by that update(). A bad magic is reported as soon as the bytes seen so far
//    cannot start the format.
//  - When several faults coincide (say a corrupt key block in a truncated object), the error
//    reported may name a different one than the whole-buffer function does; both are Corruption.
// After any error the transform is stopped: later calls return the same error. Calls after
// finish() return Internal. One transform per object; not thread-safe.

#include <memory>
#include <string_view>

#include "base/result.h"
#include "codec/data_key_envelope.h"
#include "codec/stream.h"

namespace astacus::codec {

/// pghoa1 writer: the same layout rsa_envelope_encrypt() writes, with fresh random secrets. Like it,
/// an empty plaintext gives 0 bytes (so the header is only written once the first non-empty input
/// arrives). Errors: InvalidArgument for an unusable public key, Internal for OpenSSL failures.
Result<std::unique_ptr<StreamTransform>> make_rsa_envelope_encryptor(std::string_view public_pem);

/// Deterministic secrets (16, 16 and 32 bytes), for tests only (as envelope_encrypt_with_keys()):
/// the output equals envelope_encrypt_with_keys() except for the RSA block, which OAEP randomises.
Result<std::unique_ptr<StreamTransform>> make_rsa_envelope_encryptor_with_keys(std::string_view public_pem,
                                                                              std::string_view aes_key,
                                                                              std::string_view ctr_iv,
                                                                              std::string_view hmac_key);

/// pghoa1 reader accepting exactly what rsa_envelope_decrypt() accepts (0 bytes → "", header+tag → "").
/// The private key (PKCS#8 or PKCS#1, unencrypted) is parsed here: InvalidArgument if unusable.
Result<std::unique_ptr<StreamTransform>> make_rsa_envelope_decryptor(std::string_view private_pem);

/// astdk1 writer with a fresh random nonce, same bytes layout as data_key_encrypt(dk, ·); the
/// empty plaintext gives header + nonce + tag. InvalidArgument for an unusable `dk` (as
/// data_key_encrypt). The header is written by the first update() or by finish().
Result<std::unique_ptr<StreamTransform>> make_data_key_encryptor(const DataKey& dk);

/// astdk1 reader: unwraps the object's data key through `cache` (one RSA op per distinct wrapped key,
/// counted by cache.unwrap_count()), accepts exactly what data_key_decrypt() accepts. `cache` must
/// outlive the transform; `private_pem` is copied. An unusable PEM is reported (InvalidArgument) by
/// the update() that completes the header, as data_key_decrypt() does after parsing the header.
Result<std::unique_ptr<StreamTransform>> make_data_key_decryptor(std::string_view private_pem, DataKeyCache& cache);

}  // namespace astacus::codec
