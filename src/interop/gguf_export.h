// `ropelm export --format gguf`: a checkpoint as one GGUF file that llama.cpp loads as architecture llama.
#pragma once

#include <filesystem>
#include <string>

#include "config/config.h"
#include "interop/gguf_file.h"
#include "model/transformer.h"
#include "tokenizer/tokenizer.h"

namespace ropelm {

struct GgufExportOptions {
  std::filesystem::path checkpoint;  // a ropelm checkpoint directory
  std::filesystem::path out;         // the .gguf file; must not exist
  GgmlType dtype = GgmlType::kF32;   // of the matrices (norm gains stay F32)
};

// The whole file in memory: llama metadata, tokenizer, tensors. Throws UserError naming the option
// llama.cpp's llama cannot represent (check_hf_exportable, add_tokenizer_metadata).
GgufFile llama_gguf_file(const Transformer& model, const Config& config, const Tokenizer& tokenizer,
                         GgmlType dtype, const std::string& name);

// Checks everything, then writes out atomically. Throws UserError (and leaves nothing at out) on failure.
void export_gguf(const GgufExportOptions& options);

}  // namespace ropelm
