// GPT-2 ids through the token cache (uint16 on disk, memory-mapped back) equal tiktoken's whole-file
// checksums.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "data/token_cache.h"
#include "support/temp_dir.h"
#include "util/atomic_file.h"
#include "util/sha256.h"

namespace ropelm {
namespace {

namespace fs = std::filesystem;

void expect_cached_ids_match(const std::string& golden_name, const fs::path& text) {
  TokenizerConfig config;
  config.type = TokenizerKind::kGpt2;
  config.vocab = ROPELM_SOURCE_DIR "/data/gpt2/encoder.json";
  config.merges = ROPELM_SOURCE_DIR "/data/gpt2/vocab.bpe";
  auto tokenizer = make_tokenizer(config);
  testing::TempDir dir;
  TokenCacheOptions options;
  options.sources = {text.string()};
  options.cache_dir = dir.path();
  TokenCache cache = TokenCache::open_or_build(options, *tokenizer);
  EXPECT_EQ(cache.tokens().dtype_bytes(), 2);  // 50,257 ids fit uint16
  std::string listing;                         // the golden hashes each id in decimal followed by "\n"
  for (int64_t i = 0; i < cache.tokens().size(); ++i) listing += std::to_string(cache.tokens()[i]) + "\n";
  auto goldens =
      nlohmann::json::parse(read_file(ROPELM_SOURCE_DIR "/tests/fixtures/gpt2/gpt2_golden_files.json"));
  for (const auto& golden : goldens) {
    if (golden["file"] != golden_name) continue;
    EXPECT_EQ(cache.tokens().size(), golden["n_tokens"].get<int64_t>());
    EXPECT_EQ(sha256_hex(listing), golden["ids_sha256"].get<std::string>());
    return;
  }
  FAIL() << "no golden entry for " << golden_name;
}

TEST(Gpt2CacheChecksum, TheVerdict) {
  expect_cached_ids_match("the-verdict/the-verdict.txt", ROPELM_SOURCE_DIR "/data/the-verdict.txt");
}

TEST(Gpt2CacheChecksum, TinyShakespeare) {
  expect_cached_ids_match("tinyshakespeare/input.txt", ROPELM_SOURCE_DIR "/data/tinyshakespeare.txt");
}

TEST(Gpt2CacheChecksum, WikitextValid) {
  expect_cached_ids_match("wikitext-2/wiki.valid.tokens",
                          ROPELM_SOURCE_DIR "/tests/fixtures/wikitext-2/wiki.valid.tokens");
}

}  // namespace
}  // namespace ropelm
