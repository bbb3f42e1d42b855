// make_tokenizer: picks the implementation that tokenizer.type names.
#include "tokenizer/tokenizer.h"

#include "tokenizer/byte_tokenizer.h"
#include "tokenizer/gpt2_bpe.h"
#include "tokenizer/sentencepiece_tokenizer.h"
#include "tokenizer/wordpiece_tokenizer.h"
#include "util/error.h"

namespace ropelm {

std::unique_ptr<Tokenizer> make_tokenizer(const TokenizerConfig& config) {
  if (config.type == "wordpiece") return make_wordpiece_tokenizer(config);
  if (config.type == "sentencepiece") return make_sentencepiece_tokenizer(config);
  if (config.type == "gpt2") return make_gpt2_tokenizer(config);
  if (config.type == "bytes") return make_byte_tokenizer(config);
  throw UserError("tokenizer.type = '" + config.type +
                  "' is not one of: wordpiece, sentencepiece, gpt2, bytes");
}

}  // namespace ropelm
