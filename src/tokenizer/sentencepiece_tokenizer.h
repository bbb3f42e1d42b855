// The sentencepiece tokenizer: a .model file, encoded by sentencepiece itself through the shim library.
#pragma once

#include <memory>

#include "tokenizer/tokenizer.h"

namespace ropelm {

// tokenizer.vocab = the .model file. Throws UserError when it (or the shim library) cannot be loaded, or when
// the model has no eos piece to separate documents with.
std::unique_ptr<Tokenizer> make_sentencepiece_tokenizer(const TokenizerConfig& config);

}  // namespace ropelm
