// make_tokenizer: picks the implementation that tokenizer.type names.
#include "tokenizer/tokenizer.h"

#include <stdexcept>
#include "tokenizer/byte_tokenizer.h"
#include "tokenizer/gpt2_bpe.h"
#include "tokenizer/sentencepiece_tokenizer.h"
#include "tokenizer/wordpiece_tokenizer.h"

namespace ropelm {

std::unique_ptr<Tokenizer> make_tokenizer(const TokenizerConfig& config) {
  switch (config.type) {
    case TokenizerKind::kWordPiece:
      return make_wordpiece_tokenizer(config);
    case TokenizerKind::kSentencePiece:
      return make_sentencepiece_tokenizer(config);
    case TokenizerKind::kGpt2:
      return make_gpt2_tokenizer(config);
    case TokenizerKind::kBytes:
      return make_byte_tokenizer(config);
  }
  throw std::logic_error("make_tokenizer: unhandled tokenizer.type");
}

}  // namespace ropelm
