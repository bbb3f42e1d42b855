// `ropelm import --gguf`: a GGUF file of architecture llama (F32, F16, BF16 or Q8_0 tensors) as a ropelm
// checkpoint, through the HF Llama import.
#pragma once

#include <filesystem>

#include "config/config.h"

namespace ropelm {

struct GgufImportOptions {
  std::filesystem::path gguf;
  std::filesystem::path out;  // the checkpoint directory itself; must not exist (or be empty)
  Config base;                // as HfImportOptions::base: what the file does not decide
};

// Validates the whole file (read_gguf, the llama metadata, every tensor's name and shape, the tokenizer),
// then writes its HF Llama form into a scratch directory beside out and imports that (import_hf). Throws
// UserError naming the file and what is wrong; nothing is left at out on failure.
void import_gguf(const GgufImportOptions& options);

}  // namespace ropelm
