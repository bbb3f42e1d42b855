// The sentencepiece tokenizer: the Tokenizer interface over SentencePieceModel.
#include "tokenizer/sentencepiece_tokenizer.h"

#include "tokenizer/sentencepiece_library.h"
#include "util/error.h"
#include "util/sha256.h"
#include "util/utf8.h"

namespace ropelm {
namespace {

class SentencePieceTokenizer final : public Tokenizer {
 public:
  explicit SentencePieceTokenizer(const TokenizerConfig& config)
      : model_(config.vocab), content_hash_(sha256_hex(sha256_file(config.vocab) + "\nsentencepiece")) {
    std::optional<TokenId> eos = model_.eos_id();
    if (!eos) {
      throw UserError("sentencepiece model " + config.vocab +
                      " has no eos piece (needed to separate documents)");
    }
    eos_ = *eos;
  }

  // sentencepiece would replace invalid UTF-8 silently; ropelm reports it like the other tokenizers.
  std::vector<TokenId> encode(std::string_view text) const override {
    utf8::validate(text);
    return model_.encode(text);
  }
  std::string decode(std::span<const TokenId> ids) const override {
    for (TokenId id : ids) check(id);
    return model_.decode(ids);
  }
  std::string token(TokenId id) const override { return model_.piece(check(id)); }
  int64_t vocab_size() const override { return model_.piece_count(); }
  TokenId end_of_document_id() const override { return eos_; }
  std::optional<TokenId> unk_id() const override { return model_.unk_id(); }
  // sentencepiece's own wrapping convention: <s> … </s>.
  std::optional<TokenId> cls_id() const override { return model_.bos_id(); }
  std::optional<TokenId> sep_id() const override { return eos_; }
  std::string content_hash() const override { return content_hash_; }

  // Whether whitespace is a safe cut depends on the model's normaliser (a model may keep or merge spaces, or
  // treat them as suffixes), which the shim does not expose: a text is never cut, so it encodes on one
  // thread.
  size_t safe_cut(std::string_view text, size_t) const override { return text.size(); }

 private:
  TokenId check(TokenId id) const {
    if (id < 0 || id >= model_.piece_count()) {
      throw UserError("token id " + std::to_string(id) + " is outside the sentencepiece vocabulary [0, " +
                      std::to_string(model_.piece_count()) + ")");
    }
    return id;
  }

  SentencePieceModel model_;
  std::string content_hash_;
  TokenId eos_ = -1;
};

}  // namespace

std::unique_ptr<Tokenizer> make_sentencepiece_tokenizer(const TokenizerConfig& config) {
  return std::make_unique<SentencePieceTokenizer>(config);
}

}  // namespace ropelm
