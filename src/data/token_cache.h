// A corpus tokenised once into a memory-mapped binary file, rebuilt when its text or tokenizer changes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "data/token_cache_format.h"
#include "data/token_view.h"
#include "tokenizer/tokenizer.h"
#include "util/mapped_file.h"

namespace ropelm {

struct TokenCacheOptions {
  std::vector<std::string> sources;  // files, directories or globs (see resolve_sources)
  std::string field = "data.train";  // the config field the sources came from, for error messages
  std::filesystem::path cache_dir = "runs/cache";
  bool paragraphs = false;  // also split documents at blank lines
  int threads = 0;          // tokenisation threads; 0: all cores
};

// How the cache came to be open: lets callers and tests observe reuse and rebuilds.
enum class CacheOrigin { kReused, kBuilt, kRebuiltStale, kRebuiltCorrupt };

class TokenCache {
 public:
  // Opens the cache for these sources and tokenizer, (re)building it first when it is missing, stale (a
  // source or the tokenizer changed: logged) or corrupt (truncated, bad header or checksum: warned). Holds an
  // exclusive lock on <cache>.lock meanwhile, so concurrent starts build once; the file appears by atomic
  // rename, so no reader ever sees a partial one. In a distributed run rank 0 calls this, then a barrier,
  // then the others open().
  static TokenCache open_or_build(const TokenCacheOptions& options, const Tokenizer& tokenizer);
  // Opens an existing, fresh cache without building; throws UserError when it is missing, stale or corrupt.
  static TokenCache open(const TokenCacheOptions& options, const Tokenizer& tokenizer);

  TokenView tokens() const;
  const std::filesystem::path& path() const { return path_; }
  CacheOrigin origin() const { return origin_; }
  const CacheHeader& header() const { return header_; }
  // Total bytes of the source files.
  uint64_t text_bytes() const;

 private:
  TokenCache(std::filesystem::path path, MappedFile file, CacheHeader header, CacheOrigin origin);

  std::filesystem::path path_;
  MappedFile file_;
  CacheHeader header_;
  CacheOrigin origin_;
};

}  // namespace ropelm
