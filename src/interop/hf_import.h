// `ropelm import --hf`: a Hugging Face Llama directory as a ropelm checkpoint that eval, generate and
// train --resume open.
#pragma once

#include <filesystem>

#include "config/config.h"

namespace ropelm {

struct HfImportOptions {
  std::filesystem::path hf_dir;
  std::filesystem::path out;  // the checkpoint directory itself; must not exist (or be empty)
  // The run config to complete: config.json replaces the model's shape, the files present the tokenizer;
  // data, optim, train and the model's training-only keys (dropout, init_std, ...) stay as given.
  Config base;
};

// Writes out as a step-0 checkpoint: the weights in fp32, zero AdamW moments (a fresh optimizer, which
// train --resume loads like any other), trainer_state.json at step 0, config.toml, tokenizer files, manifest.
// data.context_length is capped at config.json's max_position_embeddings. Throws UserError naming what
// ropelm cannot represent; nothing is left at out on failure.
void import_hf(const HfImportOptions& options);

}  // namespace ropelm
