// The byte-level tokenizer: ids 0–255 are the UTF-8 bytes of the text, 256 is <|endoftext|>; no vocabulary
// file. nanoGPT's character-level Shakespeare uses one id per character; on ASCII text this is the same
// thing.
#pragma once

#include <memory>

#include "tokenizer/tokenizer.h"

namespace ropelm {

inline constexpr TokenId kByteEndOfTextId = 256;
inline constexpr int64_t kByteVocabSize = 257;

// Ignores tokenizer.vocab, tokenizer.merges and tokenizer.lowercase; split_special_tokens spells a literal
// "<|endoftext|>" in the text as its 13 bytes instead of id 256.
std::unique_ptr<Tokenizer> make_byte_tokenizer(const TokenizerConfig& config);

}  // namespace ropelm
