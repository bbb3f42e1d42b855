// The tokenizer in GGUF's tokenizer.ggml.* keys, so that llama.cpp's tokenizer gives ropelm's ids: GPT-2 BPE
// as `gpt2` (pre-tokenizer gpt-2), sentencepiece BPE as `llama`, WordPiece as `bert`; and back into the
// tokenizer files ropelm reads.
#pragma once

#include <filesystem>

#include "config/config.h"
#include "interop/gguf_file.h"
#include "tokenizer/tokenizer.h"

namespace ropelm {

// Sets tokenizer.ggml.* (model, pre, tokens, token types, scores or merges, special ids, add_bos/add_eos =
// false since ropelm adds none, whitespace and normaliser flags). Throws UserError naming the option when
// llama.cpp's tokenizer of that kind would not give ropelm's ids (a unigram sentencepiece model, a WordPiece
// vocabulary whose entries collide in llama.cpp's phantom-space form, tokenizer.type = bytes).
void add_tokenizer_metadata(GgufFile& file, const TokenizerConfig& config, const Tokenizer& tokenizer);

// Writes into dir the files tokenizer_config_from_hf reads: vocab.json + merges.txt (gpt2), tokenizer.model
// (llama) or vocab.txt + tokenizer_config.json (bert). UserError for another tokenizer.ggml.model.
void write_tokenizer_files_from_gguf(const GgufFile& file, const std::filesystem::path& dir);

}  // namespace ropelm
