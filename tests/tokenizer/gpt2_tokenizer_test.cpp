// The GPT-2 Tokenizer's interface: special ids, token strings, content hash, and encode() from several
// threads.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "gpt2_test_tokenizer.h"
#include "tokenizer/gpt2_bpe.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace {

TokenizerConfig gpt2_config(bool split_special_tokens) {
  TokenizerConfig config;
  config.type = TokenizerKind::kGpt2;
  config.vocab = ROPELM_SOURCE_DIR "/data/gpt2/encoder.json";
  config.merges = ROPELM_SOURCE_DIR "/data/gpt2/vocab.bpe";
  config.split_special_tokens = split_special_tokens;
  return config;
}

TEST(Gpt2Tokenizer, DescribesItsVocabulary) {
  auto tokenizer = make_gpt2_tokenizer(gpt2_config(false));
  EXPECT_EQ(tokenizer->vocab_size(), 50257);
  EXPECT_EQ(tokenizer->end_of_document_id(), 50256);
  EXPECT_EQ(tokenizer->token(50256), "<|endoftext|>");
  EXPECT_EQ(tokenizer->token(18435), "\xc4\xa0Hello");  // "ĠHello": the vocabulary string, not the bytes
  EXPECT_EQ(tokenizer->decode(std::vector<TokenId>{18435}), " Hello");
  EXPECT_FALSE(tokenizer->unk_id().has_value());
  EXPECT_FALSE(tokenizer->cls_id().has_value());
  EXPECT_FALSE(tokenizer->sep_id().has_value());
  EXPECT_THROW(tokenizer->encode("caf\xc3"), UserError);
}

TEST(Gpt2Tokenizer, ContentHashCoversFilesAndSpecialTokenMode) {
  std::string matching = make_gpt2_tokenizer(gpt2_config(false))->content_hash();
  EXPECT_EQ(matching.size(), 64u);
  EXPECT_EQ(make_gpt2_tokenizer(gpt2_config(false))->content_hash(), matching);
  EXPECT_NE(make_gpt2_tokenizer(gpt2_config(true))->content_hash(), matching);
}

// The corpus encoder calls encode() from several threads on one tokenizer: the shared piece cache must give
// every thread the ids a lone thread gets, from a cold start.
TEST(Gpt2Tokenizer, ConcurrentEncodesAgree) {
  std::string text = read_file(kTexts + "tinyshakespeare.txt").substr(0, 300000);
  std::vector<TokenId> expected = make_gpt2_tokenizer(gpt2_config(false))->encode(text);
  auto shared = make_gpt2_tokenizer(gpt2_config(false));
  std::vector<std::vector<TokenId>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) threads.emplace_back([&] { result = shared->encode(text); });
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

}  // namespace
}  // namespace ropelm
