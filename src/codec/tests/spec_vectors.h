#pragma once
// Test vectors of storage-formats.md §4.2 (made with rohmu, pinned aes_key = 00..0f,
// ctr_iv = 10..1f, hmac_key = 20..3f; the RSA-OAEP block of the -enc vectors is random).

#include <string_view>

namespace astacus::codec::testing {

struct SpecVector {
  std::string_view name;
  std::string_view algorithm;   // "" = no compression
  bool encrypted;
  std::string_view stored_hex;  // the whole stored object
  std::string_view sidecar;     // the local-storage .metadata file, byte for byte
  std::string_view ciphertext_hex;  // -enc only: AES-CTR ciphertext after the 136-byte header
  std::string_view tag_hex;         // -enc only: HMAC-SHA256 tag
};

inline constexpr std::string_view kPlaintext = "rohmu compatibility test vector\n";

inline constexpr SpecVector kSpecVectors[] = {
    {"plain-enc", "", true,
     "7067686f613100807483d4b9d49eccf0f77489cbcf72a58a9a5602206eea465e2b2ffe6ef1e33ed04a1b89627bfc3d9c"
     "eb6db2bdc02956da4cd5259ef3d66d2da6b270144d7fe19e524097f7a51c7256dd645750222c321cfdeeffba0dd6ead1"
     "cfd2b94b6959054a385dc4770a3e7c8ff7395905eab4734be3aba01ec378eb345efb83fe48deb2de7591871994f56001"
     "fd7e8f65e7f6fbfffbb6bc24ac69f176660f1801ff96ac02c73ef9170a0ed8907bccf9f01a1a3f774a0a9d3afbaae419"
     "f9fd219b7ce0086a",
     "{\"encryption-key-id\": \"foo\", \"_hash\": \"391579b497b95d234296265889b86b9a82b86f5104c22cbcb66a40b8cc8a1a01\"}",
     "7591871994f56001fd7e8f65e7f6fbfffbb6bc24ac69f176660f1801ff96ac02",
     "c73ef9170a0ed8907bccf9f01a1a3f774a0a9d3afbaae419f9fd219b7ce0086a"},
    {"zstd-enc", "zstd", true,
     "7067686f613100802a80330cb7e25a4f2d49eefc5a1dc0dee2b445921750f9bb03f1d4928a500fdae45fd1ec8e8fa4f3"
     "8135b0d723a75fb79cf0a22b9f62a5e95947d4c571bcd6f92e459949c86eae7d22dedf94b1a78fa1dc8ec13e2f9d596d"
     "a25a2b6ce4b1b528e930a19ee31983e5c3fc82056aa9ccc9c2da02ff4c74c4fbac075593a1260c502f4bc089e18d026f"
     "907c8179e3e1b2f0fdafb565ac65e06b2a10091bab8dbb7bbe014e02569197d96fd1042721f1ee598d2c90dfd6fa477f"
     "bbc0036e9a989d8469770ad8d45d52db23",
     "{\"encryption-key-id\": \"foo\", \"compression-algorithm\": \"zstd\", \"_hash\": \"add52d717464258d7f3bcb6e0e81e0d3cdca2ca63c940f328cce2800c05b6c13\"}",
     "2f4bc089e18d026f907c8179e3e1b2f0fdafb565ac65e06b2a10091bab8dbb7bbe014e02569197d96f",
     "d1042721f1ee598d2c90dfd6fa477fbbc0036e9a989d8469770ad8d45d52db23"},
    {"snappy-enc", "snappy", true,
     "7067686f61310080720ad585508d0e8f7f3f30420b219d91899bb91c6e04d23dd545b1ca9fdd6381516f9b81c5f30160"
     "5be393e6d79b2b5b30dd8cc3cfac7740ffab19ce1bfd3315c4e1f5012275ab3d53f216e67e4cf3ab7809ddc1f9a1a603"
     "2c65c768ff90d45aebfdf2850ae2e4615716b576391baa8cc0b3192cd53e8d703e8616eb066eeb62f8f8ef74929b623e"
     "e057ef358e9475af0869b76bb061f72225161012ea8db76aa34d51134cc58cce16e2aa5ac4b6491522f8c16ec6ef8734"
     "eea2d044cc2b0978c4081c6cc14969bd1d01277ddf34428c15db",
     "{\"encryption-key-id\": \"foo\", \"compression-algorithm\": \"snappy\", \"_hash\": \"69fb6baf60bb0e0cc54fdc5561a7c519df24eed82b5177acd24596ae75ff2ab2\"}",
     "f8f8ef74929b623ee057ef358e9475af0869b76bb061f72225161012ea8db76aa34d51134cc58cce16e2aa5ac4b6491522f8",
     "c16ec6ef8734eea2d044cc2b0978c4081c6cc14969bd1d01277ddf34428c15db"},
    {"lzma-enc", "lzma", true,
     "7067686f613100809036313f1b4a61fcde20b0387f501cb452bbe3257d12df6a5bfcc8b677b7d13269b28ade9a535fe4"
     "232042764e415d3ac09b39edeb3abb910300ead694c0eadc72200f37b2ce08b1f60114a56524b4949c92d2f4d709d971"
     "aafb742f23f37d57c3bf067bb28cb26437d0f032d96b6e78a78dc21bd36fc5d86b8598b3d011510dfac9952cbbd5036a"
     "76d85a578c94b3929ec2c5045794c39e47796210e491b37dea42570a45848cc207ffe645d5ac1d0e358112942d27de01"
     "43e13f0294646edaf91a859f9e2e2dea61e3fc24533761425f9d2c89984026e43f3a7f0ab5a73e475014083714f6e71d"
     "ea194c961288a65efde42e86ba231a65",
     "{\"encryption-key-id\": \"foo\", \"compression-algorithm\": \"lzma\", \"_hash\": \"10891e1f7d6869535e58d11c5c1f2ed8981fb54daa3dac58aedfab2fb31dc078\"}",
     "fac9952cbbd5036a76d85a578c94b3929ec2c5045794c39e47796210e491b37dea42570a45848cc207ffe645d5ac1d0e358112942d27de0143e13f0294646edaf91a859f9e2e2dea61e3fc24533761425f9d2c89984026e4",
     "3f3a7f0ab5a73e475014083714f6e71dea194c961288a65efde42e86ba231a65"},
    {"zstd-noenc", "zstd", false,
     "28b52ffd0058010100726f686d7520636f6d7061746962696c697479207465737420766563746f720a",
     "{\"compression-algorithm\": \"zstd\", \"_hash\": \"6450cfbdc9dc9876e070fe80a37d644deb2708ee8b656730fa336c0ac8d02f23\"}",
     "",
     ""},
    {"snappy-noenc", "snappy", false,
     "ff060000734e6150705901240000e73c9aab726f686d7520636f6d7061746962696c697479207465737420766563746f"
     "720a",
     "{\"compression-algorithm\": \"snappy\", \"_hash\": \"53be6029020fa851ae45513e1574ee3dee50d2c2f18d846901ce50e3f3652c42\"}",
     "",
     ""},
    {"lzma-noenc", "lzma", false,
     "fd377a585a000004e6d6b446020021010c0000008f98419c01001f726f686d7520636f6d7061746962696c6974792074"
     "65737420766563746f720a005a68bfd2cf1e7b5b000138201829770c1fb6f37d010000000004595a",
     "{\"compression-algorithm\": \"lzma\", \"_hash\": \"8a3f6c0defd58fd8d6292e108c316527c1e054da8efd82feeb7253ca4b95ddce\"}",
     "",
     ""},
};

}  // namespace astacus::codec::testing
