// `ropelm export --format hf`: a checkpoint as a directory transformers loads as LlamaForCausalLM.
#pragma once

#include <filesystem>

#include "checkpoint/safetensors_writer.h"
#include "model/transformer.h"

namespace ropelm {

struct HfExportOptions {
  std::filesystem::path checkpoint;  // a ropelm checkpoint directory
  std::filesystem::path out;         // must not exist (or be an empty directory)
};

// The model's weights under HF Llama's names and layout (see hf_tensor_names.h); throws UserError when HF
// Llama cannot represent the model (check_hf_exportable).
NamedTensors hf_model_tensors(const Transformer& model);

// Writes config.json, model.safetensors and the tokenizer files into a scratch directory, then renames it to
// out. Throws UserError (and leaves nothing at out) on any failure.
void export_hf(const HfExportOptions& options);

}  // namespace ropelm
