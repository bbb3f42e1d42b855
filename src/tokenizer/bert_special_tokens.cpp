// BERT's special tokens: look-up by name and literal matching in raw text.
#include "tokenizer/bert_special_tokens.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "util/error.h"

namespace ropelm {
namespace {

constexpr std::array<std::string_view, 5> kSpecialTokenNames = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

std::optional<TokenId> find_token(const std::vector<std::string>& tokens, std::string_view name) {
  auto it = std::find(tokens.begin(), tokens.end(), name);
  if (it == tokens.end()) return std::nullopt;
  return static_cast<TokenId>(it - tokens.begin());
}

}  // namespace

BertSpecialTokens::BertSpecialTokens(const std::vector<std::string>& tokens, const std::string& vocab_path) {
  for (std::string_view name : kSpecialTokenNames) {
    if (std::optional<TokenId> id = find_token(tokens, name)) in_vocab_.emplace_back(name, *id);
  }
  auto required = [&](std::string_view name, std::string_view why) {
    std::optional<TokenId> id = find_token(tokens, name);
    if (!id)
      throw UserError("vocab file " + vocab_path + " has no " + std::string(name) + " token (" +
                      std::string(why) + ")");
    return *id;
  };
  unk_ = required("[UNK]", "WordPiece writes it for words it cannot spell");
  sep_ = required("[SEP]", "it separates documents");
  cls_ = find_token(tokens, "[CLS]");
}

std::optional<SpecialTokenMatch> BertSpecialTokens::find_in(std::string_view text, size_t from) const {
  // Every name starts with '[': memchr skips the text between brackets at memory speed.
  while (from < text.size()) {
    const void* bracket = std::memchr(text.data() + from, '[', text.size() - from);
    if (!bracket) return std::nullopt;
    size_t at = static_cast<size_t>(static_cast<const char*>(bracket) - text.data());
    for (const auto& [name, id] : in_vocab_) {
      if (text.substr(at).starts_with(name)) return SpecialTokenMatch{at, name.size(), id};
    }
    from = at + 1;
  }
  return std::nullopt;
}

}  // namespace ropelm
