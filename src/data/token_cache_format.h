// The token cache file format: a fixed binary header, JSON metadata, then the token ids (uint16 or uint32).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/corpus_sources.h"
#include "tokenizer/tokenizer.h"

namespace ropelm {

// Layout (little-endian, the byte order of every machine ropelm targets):
//   0  char[8] magic "RPLMTOK1"     8  u32 version          12 u32 dtype bytes (2 or 4)
//   16 u64 token count              24 u64 document count   32 u64 payload checksum
//   40 u64 metadata bytes           48 metadata JSON, space-padded to a multiple of 8   then the payload.
// A file is valid only when all of it checks out, including size == payload offset + count · dtype bytes.
constexpr uint32_t kTokenCacheVersion = 1;

// What the cache was built from: a cache is fresh only while all of it matches the current run.
struct CacheSourceInfo {
  std::string tokenizer_hash;
  int64_t vocab_size = 0;
  TokenId end_of_document_id = 0;
  bool paragraphs = false;
  std::vector<SourceFile> sources;

  bool operator==(const CacheSourceInfo&) const = default;
};

struct CacheHeader {
  int dtype_bytes = 2;
  uint64_t token_count = 0;
  uint64_t document_count = 0;
  uint64_t checksum = 0;
  CacheSourceInfo info;
  uint64_t payload_offset = 0;  // set by parse_cache_file
};

// uint16 when every id fits (GPT-2's 50,257 does), else uint32.
int dtype_bytes_for_vocab(int64_t vocab_size);

// FNV-1a (64-bit) over token values: cheap enough to verify on every open (~10 ms for 7M tokens) and catches
// truncation, zero-filled pages and bit flips.
class PayloadChecksum {
 public:
  void add(uint32_t token) { hash_ = (hash_ ^ token) * 0x100000001B3ULL; }
  uint64_t value() const { return hash_; }

 private:
  uint64_t hash_ = 0xCBF29CE484222325ULL;
};

// Writes a cache into an open file: the header first (with placeholder counts), then tokens appended in
// order; finish() seeks back and writes the final counts and checksum. Throws UserError on I/O failure.
class TokenCacheWriter {
 public:
  TokenCacheWriter(std::FILE* file, const CacheSourceInfo& info);
  void append_document(std::span<const TokenId> ids);  // joined to the previous one by end_of_document_id
  void finish();
  const CacheHeader& header() const { return header_; }

 private:
  void write_tokens(std::span<const TokenId> ids);
  std::FILE* file_;
  CacheHeader header_;
  PayloadChecksum checksum_;
  std::vector<char> buffer_;
};

// Parses and verifies a whole cache file. On failure returns nullopt and sets `problem` to a short reason.
std::optional<CacheHeader> parse_cache_file(std::string_view file_bytes, std::string& problem);

}  // namespace ropelm
