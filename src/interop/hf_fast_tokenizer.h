// A WordPiece vocabulary as the `tokenizers` library's tokenizer.json (BertNormalizer, BertPreTokenizer,
// WordPiece with "##" continuations, no post-processor), so that AutoTokenizer with its defaults gives
// exactly ropelm's ids: BertTokenizer's files alone make transformers add [CLS] and [SEP], which ropelm never
// trains on.
#pragma once

#include <filesystem>

#include "config/config.h"
#include "tokenizer/tokenizer.h"

namespace ropelm {

// Writes dir/tokenizer.json for a WordPiece tokenizer (special tokens matched in text unless
// tokenizer.split_special_tokens, as ropelm does).
void write_wordpiece_tokenizer_json(const TokenizerConfig& config, const Tokenizer& tokenizer,
                                    const std::filesystem::path& dir);

}  // namespace ropelm
