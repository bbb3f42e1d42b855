// BERT's special tokens [PAD] [UNK] [CLS] [SEP] [MASK]: their ids in a vocabulary, and finding their literal
// text in the input (HF matches added special tokens in the raw text before normalising it).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace ropelm {

struct SpecialTokenMatch {
  size_t begin;
  size_t length;
  TokenId id;
};

class BertSpecialTokens {
 public:
  // Looks the names up in `tokens` (id → entry); throws UserError naming `vocab_path` when [UNK] or [SEP] is
  // missing.
  BertSpecialTokens(const std::vector<std::string>& tokens, const std::string& vocab_path);

  // The leftmost literal special token in text[from..] (none is a prefix of another, so leftmost is also
  // HF's leftmost-longest match).
  std::optional<SpecialTokenMatch> find_in(std::string_view text, size_t from) const;

  TokenId unk() const { return unk_; }
  TokenId sep() const { return sep_; }
  std::optional<TokenId> cls() const { return cls_; }

 private:
  std::vector<std::pair<std::string_view, TokenId>> in_vocab_;
  TokenId unk_ = -1;
  TokenId sep_ = -1;
  std::optional<TokenId> cls_;
};

}  // namespace ropelm
