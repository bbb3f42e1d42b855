// The training and validation token streams of a run: token caches plus the train/validation split.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "data/token_cache.h"
#include "data/token_view.h"
#include "tokenizer/tokenizer.h"

namespace ropelm {

struct CorpusOptions {
  std::vector<std::string> train;  // files, directories or globs
  std::vector<std::string> val;    // empty: the last val_fraction of the train stream
  double val_fraction = 0.0;       // ignored when val is given
  bool paragraphs = false;
  std::filesystem::path cache_dir = "runs/cache";
  int threads = 0;  // tokenisation threads; 0: all cores
};

// kOpenOrBuild: rank 0 / single process. kOpenExisting: the other ranks, after rank 0 built and a barrier.
enum class CacheAccess { kOpenOrBuild, kOpenExisting };

class Corpus {
 public:
  // Throws UserError for bad sources or options (see TokenCache, split_validation_tail).
  static Corpus load(const CorpusOptions& options, const Tokenizer& tokenizer, CacheAccess access);

  // Token streams for the loaders and for eval's own strided windows; valid while the Corpus lives.
  TokenView train() const { return train_; }
  TokenView val() const { return val_; }  // empty: no validation
  const TokenCache& train_cache() const { return train_cache_; }
  const TokenCache* val_cache() const { return val_cache_ ? &*val_cache_ : nullptr; }

 private:
  Corpus(TokenCache train_cache, std::optional<TokenCache> val_cache, double val_fraction);

  TokenCache train_cache_;
  std::optional<TokenCache> val_cache_;
  TokenView train_;
  TokenView val_;
};

}  // namespace ropelm
