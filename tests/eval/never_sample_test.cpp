// Sampling never emits [UNK] or the structural special tokens: the masked ids lose even when they are the
// most likely, at any temperature.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>

#include "config/config.h"
#include "eval/generate.h"

namespace ropelm {
namespace {

std::unique_ptr<Tokenizer> bert_uncased() {
  TokenizerConfig config;
  config.vocab = std::string(ROPELM_SOURCE_DIR) + "/data/bert-base-uncased-vocab.txt";
  return make_tokenizer(config);
}

// In bert-base-uncased: [PAD] 0, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103.
TEST(NeverSample, BertSpecialIdsExceptTheEndOfDocument) {
  auto tokenizer = bert_uncased();
  EXPECT_EQ(unsampled_ids(*tokenizer), (std::vector<TokenId>{0, 100, 101, 103}));
  EXPECT_EQ(tokenizer->end_of_document_id(), 102);
}

TEST(NeverSample, MaskedIdsLoseGreedyAndSampled) {
  torch::Tensor logits = torch::zeros({200});
  logits[100] = 50;  // [UNK] would win every draw
  logits[0] = 49;
  logits[7] = 10;
  SamplingOptions options;
  options.never_sample = {0, 100, 101, 103};
  at::Generator generator = at::detail::createCPUGenerator(1);
  options.temperature = 0;
  EXPECT_EQ(sample_token(logits, options, generator), 7);
  options.temperature = 1;
  for (int draw = 0; draw < 200; ++draw) {
    TokenId id = sample_token(logits, options, generator);
    EXPECT_EQ(std::count(options.never_sample.begin(), options.never_sample.end(), id), 0) << id;
  }
}

}  // namespace
}  // namespace ropelm
