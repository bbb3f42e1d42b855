// The GPT-2 tokenizer built from data/gpt2 once per test process, shared by the GPT-2 tests.
#pragma once

#include <string>

#include "tokenizer/gpt2_bpe.h"

namespace ropelm {

inline const std::string kGpt2Golden = ROPELM_SOURCE_DIR "/tests/fixtures/gpt2/";
// The texts the golden files were made from, as the repository ships them (data/).
inline const std::string kTexts = ROPELM_SOURCE_DIR "/data/";

// With split_special_tokens, "<|endoftext|>" in the text is plain text instead of id 50256.
inline const Tokenizer& gpt2_tokenizer(bool split_special_tokens) {
  auto make = [](bool split) {
    TokenizerConfig config;
    config.type = TokenizerKind::kGpt2;
    config.vocab = ROPELM_SOURCE_DIR "/data/gpt2/encoder.json";
    config.merges = ROPELM_SOURCE_DIR "/data/gpt2/vocab.bpe";
    config.split_special_tokens = split;
    return make_gpt2_tokenizer(config);
  };
  static const auto kMatching = make(false);
  static const auto kSplitting = make(true);
  return split_special_tokens ? *kSplitting : *kMatching;
}

}  // namespace ropelm
