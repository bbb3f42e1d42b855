// Loading the train/validation token streams from their caches.
#include "data/corpus.h"

#include <utility>

#include "data/token_splits.h"

namespace ropelm {

namespace {

TokenCache open_cache(const CorpusOptions& options, const std::vector<std::string>& sources,
                      const char* field, const Tokenizer& tokenizer, CacheAccess access) {
  TokenCacheOptions cache{sources, field, options.cache_dir, options.paragraphs, options.threads};
  return access == CacheAccess::kOpenOrBuild ? TokenCache::open_or_build(cache, tokenizer)
                                             : TokenCache::open(cache, tokenizer);
}

}  // namespace

Corpus Corpus::load(const CorpusOptions& options, const Tokenizer& tokenizer, CacheAccess access) {
  // Validate before the (possibly long) tokenisation, so a typo fails fast.
  validate_val_fraction(options.val_fraction);
  TokenCache train = open_cache(options, options.train, "data.train", tokenizer, access);
  std::optional<TokenCache> val;
  if (!options.val.empty()) val.emplace(open_cache(options, options.val, "data.val", tokenizer, access));
  return Corpus(std::move(train), std::move(val), options.val_fraction);
}

Corpus::Corpus(TokenCache train_cache, std::optional<TokenCache> val_cache, double val_fraction)
    : train_cache_(std::move(train_cache)), val_cache_(std::move(val_cache)) {
  if (val_cache_) {
    train_ = train_cache_.tokens();
    val_ = val_cache_->tokens();
  } else {
    TokenSplits splits = split_validation_tail(train_cache_.tokens(), val_fraction);
    train_ = splits.train;
    val_ = splits.val;
  }
}

}  // namespace ropelm
