// Token caches of the byte tokenizer: the ids are the file's bytes, documents joined by id 256, a second open
// reuses the cache, and split_special_tokens (which changes ids) keys another cache.
#include <gtest/gtest.h>

#include "data/token_cache.h"
#include "support/temp_dir.h"
#include "tokenizer/tokenizer.h"

namespace ropelm {
namespace {

using testing::TempDir;
using testing::write_text;

std::unique_ptr<Tokenizer> make_bytes(bool split_special_tokens) {
  TokenizerConfig config;
  config.type = TokenizerKind::kBytes;
  config.split_special_tokens = split_special_tokens;
  return make_tokenizer(config);
}

std::vector<TokenId> ids_of(TokenView view) {
  std::vector<TokenId> ids;
  for (int64_t i = 0; i < view.size(); ++i) ids.push_back(view[i]);
  return ids;
}

TEST(ByteTokenCache, HoldsTheBytesAndIsKeyedByTheTokenizerOptions) {
  TempDir dir;
  write_text(dir / "a.jsonl", "{\"text\": \"Hé<|endoftext|>\"}\n{\"text\": \"z\"}\n");
  TokenCacheOptions options{{(dir / "a.jsonl").string()}, "data.train", dir / "cache", false, 2};
  auto bytes = make_bytes(false);
  TokenCache first = TokenCache::open_or_build(options, *bytes);
  EXPECT_EQ(first.origin(), CacheOrigin::kBuilt);
  EXPECT_EQ(ids_of(first.tokens()), (std::vector<TokenId>{'H', 0xC3, 0xA9, 256, 256, 'z'}));
  EXPECT_EQ(first.tokens().dtype_bytes(), 2);
  EXPECT_EQ(TokenCache::open_or_build(options, *bytes).origin(), CacheOrigin::kReused);

  auto split = make_bytes(true);
  TokenCache other = TokenCache::open_or_build(options, *split);
  EXPECT_EQ(other.origin(), CacheOrigin::kBuilt);
  EXPECT_NE(other.path(), first.path());
  std::vector<TokenId> expected = {'H', 0xC3, 0xA9};
  for (char c : std::string("<|endoftext|>")) expected.push_back(c);
  expected.insert(expected.end(), {256, 'z'});
  EXPECT_EQ(ids_of(other.tokens()), expected);
}

}  // namespace
}  // namespace ropelm
