// The byte-level tokenizer: encode is the identity on bytes, with <|endoftext|> matched as one special id.
#include "tokenizer/byte_tokenizer.h"

#include <fmt/format.h>

#include "util/error.h"
#include "util/sha256.h"
#include "util/utf8.h"

namespace ropelm {
namespace {

constexpr std::string_view kEndOfText = "<|endoftext|>";

class ByteTokenizer final : public Tokenizer {
 public:
  explicit ByteTokenizer(bool split_special_tokens)
      : split_special_(split_special_tokens),
        content_hash_(
            sha256_hex(std::string("bytes\nsplit_special_tokens=") + (split_special_ ? "1" : "0"))) {}

  // Like GPT-2's encode (allowed_special="all"): a literal <|endoftext|> is the special id unless
  // split_special_tokens.
  std::vector<TokenId> encode(std::string_view text) const override {
    utf8::validate(text);
    std::vector<TokenId> ids;
    ids.reserve(text.size());
    for (size_t pos = 0; pos < text.size();) {
      if (is_special_at(text, pos)) {
        ids.push_back(kByteEndOfTextId);
        pos += kEndOfText.size();
      } else {
        ids.push_back(static_cast<unsigned char>(text[pos++]));
      }
    }
    return ids;
  }

  std::string decode(std::span<const TokenId> ids) const override {
    std::string text;
    text.reserve(ids.size());
    for (TokenId id : ids) {
      if (checked(id) == kByteEndOfTextId) {
        text += kEndOfText;
      } else {
        text += static_cast<char>(id);
      }
    }
    return text;
  }

  // Printable ASCII as itself, other bytes as sentencepiece's byte pieces spell them (<0x0A>).
  std::string token(TokenId id) const override {
    if (checked(id) == kByteEndOfTextId) return std::string(kEndOfText);
    if (id > 0x20 && id < 0x7F) return std::string(1, static_cast<char>(id));
    return fmt::format("<0x{:02X}>", id);
  }

  int64_t vocab_size() const override { return kByteVocabSize; }
  TokenId end_of_document_id() const override { return kByteEndOfTextId; }
  std::optional<TokenId> unk_id() const override { return std::nullopt; }
  std::optional<TokenId> cls_id() const override { return std::nullopt; }
  std::optional<TokenId> sep_id() const override { return std::nullopt; }
  std::string content_hash() const override { return content_hash_; }

  // Any code point boundary outside a literal <|endoftext|> (chunks must stay valid UTF-8 on their own).
  size_t safe_cut(std::string_view text, size_t begin) const override {
    size_t cut = std::min(begin, text.size());
    size_t first_start = cut >= kEndOfText.size() ? cut - kEndOfText.size() + 1 : 0;
    for (size_t start = first_start; start < cut; ++start) {
      if (is_special_at(text, start)) cut = start + kEndOfText.size();
    }
    while (cut < text.size() && utf8::is_continuation_byte(text[cut])) ++cut;
    return cut;
  }

 private:
  bool is_special_at(std::string_view text, size_t pos) const {
    return !split_special_ && text[pos] == '<' && text.substr(pos, kEndOfText.size()) == kEndOfText;
  }

  TokenId checked(TokenId id) const {
    if (id < 0 || id >= kByteVocabSize) {
      throw UserError("token id " + std::to_string(id) + " is outside the byte vocabulary [0, " +
                      std::to_string(kByteVocabSize) + ")");
    }
    return id;
  }

  bool split_special_;
  std::string content_hash_;
};

}  // namespace

std::unique_ptr<Tokenizer> make_byte_tokenizer(const TokenizerConfig& config) {
  return std::make_unique<ByteTokenizer>(config.split_special_tokens);
}

}  // namespace ropelm
