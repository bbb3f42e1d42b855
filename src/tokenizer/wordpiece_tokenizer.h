// The BERT WordPiece tokenizer: HF's BertNormalizer + BertPreTokenizer + WordPiece, over a vocab.txt.
#pragma once

#include <memory>
#include <string_view>

#include "tokenizer/tokenizer.h"

namespace ropelm {

// tokenizer.vocab = vocab.txt; tokenizer.lowercase selects uncased (lowercase + strip accents) or cased.
// Throws UserError naming the file for a missing or malformed vocab, or one without [UNK] or [SEP].
std::unique_ptr<Tokenizer> make_wordpiece_tokenizer(const TokenizerConfig& config);

// The first ASCII whitespace byte (' ', \t, \n, \r) at or after `from`, or text.size(). BERT's normaliser
// keeps these as spaces and its pre-tokeniser splits there, so text cut there encodes the same in parts.
size_t next_bert_split_point(std::string_view text, size_t from);

}  // namespace ropelm
