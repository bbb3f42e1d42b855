// The BERT WordPiece tokenizer: special-token matching, then normalise → pre-tokenise → WordPiece per block.
#include "tokenizer/wordpiece_tokenizer.h"

#include <string>
#include <vector>

#include "tokenizer/bert_normalizer.h"
#include "tokenizer/bert_pre_tokenizer.h"
#include "tokenizer/bert_special_tokens.h"
#include "tokenizer/vocab_file.h"
#include "tokenizer/wordpiece.h"
#include "tokenizer/wordpiece_decoder.h"
#include "util/error.h"
#include "util/sha256.h"

namespace ropelm {
namespace {

// Text is normalised and split in blocks of about this size, so the normalised copy stays in cache.
constexpr size_t kBlockBytes = 64 * 1024;

// Per-thread buffers reused across calls: no allocation per word in the hot loop.
struct EncodeScratch {
  std::string normalized;
  std::vector<std::string_view> words;
};

class WordPieceTokenizer final : public Tokenizer {
 public:
  explicit WordPieceTokenizer(const TokenizerConfig& config)
      : WordPieceTokenizer(config, read_vocab_file(config.vocab)) {}

  WordPieceTokenizer(const TokenizerConfig& config, std::vector<std::string> tokens)
      : normalizer_(config.lowercase),
        specials_(tokens, config.vocab),
        wordpiece_(std::move(tokens), specials_.unk()),
        split_special_(config.split_special_tokens) {
    content_hash_ =
        sha256_hex(sha256_file(config.vocab) + "\nwordpiece lowercase=" + std::to_string(config.lowercase) +
                   " split_special_tokens=" + std::to_string(config.split_special_tokens));
  }

  // Like HF with the five specials registered as added tokens: their literal text is matched in the raw
  // input (case-sensitively, before normalisation); split_special_tokens spells them out as plain text.
  std::vector<TokenId> encode(std::string_view text) const override {
    std::vector<TokenId> ids;
    ids.reserve(text.size() / 4 + 8);
    size_t pos = 0;
    if (!split_special_) {
      for (auto match = specials_.find_in(text, pos); match; match = specials_.find_in(text, pos)) {
        encode_ordinary(text.substr(0, match->begin), pos, ids);
        ids.push_back(match->id);
        pos = match->begin + match->length;
      }
    }
    encode_ordinary(text, pos, ids);
    return ids;
  }

  std::string decode(std::span<const TokenId> ids) const override {
    std::string text;
    for (size_t i = 0; i < ids.size(); ++i) append_decoded_wordpiece(token_text(ids[i]), i, text);
    return text;
  }

  std::string token(TokenId id) const override { return std::string(token_text(id)); }
  int64_t vocab_size() const override { return static_cast<int64_t>(wordpiece_.tokens().size()); }
  TokenId end_of_document_id() const override { return specials_.sep(); }
  std::optional<TokenId> unk_id() const override { return specials_.unk(); }
  std::optional<TokenId> cls_id() const override { return specials_.cls(); }
  std::optional<TokenId> sep_id() const override { return specials_.sep(); }
  std::string content_hash() const override { return content_hash_; }
  size_t safe_cut(std::string_view text, size_t begin) const override {
    return next_bert_split_point(text, begin);
  }

 private:
  // Encodes text[begin..] (no special-token matching), appending to `ids`.
  void encode_ordinary(std::string_view text, size_t begin, std::vector<TokenId>& ids) const {
    thread_local EncodeScratch scratch;
    while (begin < text.size()) {
      size_t end =
          text.size() - begin > kBlockBytes ? next_bert_split_point(text, begin + kBlockBytes) : text.size();
      scratch.normalized.clear();
      scratch.words.clear();
      normalizer_.normalize(text.substr(begin, end - begin), begin, scratch.normalized);
      split_bert_words(scratch.normalized, scratch.words);
      for (std::string_view word : scratch.words) wordpiece_.encode_word(word, ids);
      begin = end;
    }
  }

  std::string_view token_text(TokenId id) const {
    const auto& tokens = wordpiece_.tokens();
    if (id < 0 || static_cast<size_t>(id) >= tokens.size()) {
      throw UserError("token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                      std::to_string(tokens.size()) + ")");
    }
    return tokens[static_cast<size_t>(id)];
  }

  BertNormalizer normalizer_;
  BertSpecialTokens specials_;
  WordPiece wordpiece_;
  bool split_special_;
  std::string content_hash_;
};

}  // namespace

size_t next_bert_split_point(std::string_view text, size_t from) {
  for (size_t pos = from; pos < text.size(); ++pos) {
    char byte = text[pos];
    if (byte == ' ' || byte == '\n' || byte == '\t' || byte == '\r') return pos;
  }
  return text.size();
}

std::unique_ptr<Tokenizer> make_wordpiece_tokenizer(const TokenizerConfig& config) {
  return std::make_unique<WordPieceTokenizer>(config);
}

}  // namespace ropelm
