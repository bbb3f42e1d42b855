// One interface for every kind of tokenizer ropelm reads text with: BERT WordPiece, sentencepiece, GPT-2 BPE.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace ropelm {

using TokenId = int32_t;

// Bump when a change to a tokenizer's code changes the ids it gives some text: token caches are keyed by it
// (as well as by content_hash()), so caches an older build wrote are rebuilt instead of silently reused.
inline constexpr int kTokenizerImplementationVersion = 1;

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Text → ids. Invalid UTF-8 throws UserError naming the byte offset. No [CLS]/[SEP] wrapping here.
  virtual std::vector<TokenId> encode(std::string_view text) const = 0;
  // Ids → text (WordPiece: HF's decoder clean-up; GPT-2: the exact bytes).
  virtual std::string decode(std::span<const TokenId> ids) const = 0;
  // The vocabulary entry of one id, as `--format tokens` prints it.
  virtual std::string token(TokenId id) const = 0;
  virtual int64_t vocab_size() const = 0;

  // The token joining documents in a corpus: [SEP] (BERT), <|endoftext|> (GPT-2), eos (sentencepiece).
  virtual TokenId end_of_document_id() const = 0;
  virtual std::optional<TokenId> unk_id() const = 0;
  // BERT-style wrapping ids for `tokenize --special`; nullopt where the tokenizer has none.
  virtual std::optional<TokenId> cls_id() const = 0;
  virtual std::optional<TokenId> sep_id() const = 0;

  // sha256 (hex) of the vocabulary/model file(s) and the options that change ids: keys caches and
  // checkpoints.
  virtual std::string content_hash() const = 0;

  // A byte offset in [begin, text.size()] at or after `begin` where the text can be cut so that
  // encode(text[..cut]) + encode(text[cut..]) == encode(text) (text.size() if none). Parallel corpus encoding
  // cuts only there, so ids never depend on the number of threads or the chunk size.
  virtual size_t safe_cut(std::string_view text, size_t begin) const = 0;
};

// Builds the tokenizer the config names; throws UserError for missing or malformed files.
std::unique_ptr<Tokenizer> make_tokenizer(const TokenizerConfig& config);

}  // namespace ropelm
