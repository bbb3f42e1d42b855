// The WordPiece model (HF's models::WordPiece): greedy longest-match-first over a vocabulary, "##" marking
// pieces that continue a word.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab_trie.h"

namespace ropelm {

class WordPiece {
 public:
  // HF's max_input_chars_per_word: a longer word is [UNK].
  static constexpr size_t kMaxWordChars = 100;

  WordPiece(std::vector<std::string> tokens, TokenId unk_id);

  // Appends the ids of one pre-tokenised word: the longest vocabulary entry that starts it, then the longest
  // "##" entry that continues it, and so on; the whole word is one [UNK] when some piece matches nothing.
  void encode_word(std::string_view word, std::vector<TokenId>& out) const;

  const std::vector<std::string>& tokens() const { return tokens_; }

 private:
  // Appends the ids of a word (at most kMaxWordChars characters) through the trie.
  void encode_with_trie(std::string_view word, std::vector<TokenId>& out) const;

  std::vector<std::string> tokens_;
  TokenId unk_id_;
  uint64_t serial_;  // unique per instance: keys the per-thread WordIdCache
  VocabTrie trie_;
  VocabTrie::Node word_start_ = trie_.add_root();    // every entry, matched at the start of a word
  VocabTrie::Node continuation_ = trie_.add_root();  // "##x" entries as x, matched inside a word
};

}  // namespace ropelm
