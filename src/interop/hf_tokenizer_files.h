// The tokenizer files of a Hugging Face model directory: written so AutoTokenizer gives ropelm's ids, and
// read back into a ropelm tokenizer config.
#pragma once

#include <cstdint>
#include <filesystem>

#include "config/config.h"
#include "interop/hf_config.h"
#include "tokenizer/tokenizer.h"

namespace ropelm {

// The ids config.json names: bos/eos/pad of the tokenizer's kind ([CLS]/[SEP]/[PAD] for WordPiece,
// <|endoftext|> for GPT-2, the model's bos/eos for sentencepiece).
HfSpecialTokens hf_special_tokens(const TokenizerConfig& config, const Tokenizer& tokenizer);

// Writes into dir: WordPiece → vocab.txt, tokenizer.json (a fast tokenizer that adds no [CLS]/[SEP]),
// tokenizer_config.json, special_tokens_map.json;
// GPT-2 → vocab.json (encoder.json), merges.txt (vocab.bpe), tokenizer_config.json (GPT2Tokenizer); bytes →
// the same files with the 256 bytes (GPT-2's byte alphabet) and <|endoftext|> as the vocabulary, no merges;
// sentencepiece → tokenizer.model, tokenizer_config.json (LlamaTokenizer without bos/eos added).
void write_hf_tokenizer_files(const TokenizerConfig& config, const Tokenizer& tokenizer,
                              int64_t model_max_length, const std::filesystem::path& dir);

// The ropelm tokenizer of an HF directory, over `base` (split_special_tokens kept): vocab.txt → wordpiece
// (lowercase from tokenizer_config.json's do_lower_case), vocab.json + merges.txt → gpt2, tokenizer.model →
// sentencepiece. Throws UserError when none of these is present.
TokenizerConfig tokenizer_config_from_hf(const std::filesystem::path& dir, const TokenizerConfig& base);

}  // namespace ropelm
