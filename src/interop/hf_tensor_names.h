// The one mapping between ropelm's parameters and Hugging Face Llama's (modeling_llama), used both ways.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "checkpoint/safetensors_writer.h"
#include "model/model_options.h"

namespace ropelm {

// What happens to a part's rows between the two layouts.
enum class HfRows {
  kAsIs,
  kRopeHeads,  // q or k heads: rows permuted when the model uses interleaved RoPE
  kVocab,      // the embedding or head: ropelm pads the rows to pad_vocab_multiple, HF has the real vocab
};

// One HF tensor and the block of rows it occupies in the ropelm tensor.
struct HfPart {
  std::string name;
  int64_t rows;
  HfRows kind = HfRows::kAsIs;
  int64_t heads = 0;  // kRopeHeads only
};

// A ropelm parameter and the HF tensors its rows split into, in row order (qkv → q, k, v; gate_up → gate,
// up).
struct HfTensorMapping {
  std::string ropelm_name;
  std::vector<HfPart> parts;
};

// Every parameter of a model HF Llama can represent (see check_hf_exportable), in model order.
std::vector<HfTensorMapping> hf_tensor_mappings(const TransformerOptions& options);

// ropelm parameters (by name) → HF tensors, in mapping order. Throws UserError naming a missing parameter.
NamedTensors to_hf_tensors(const TransformerOptions& options,
                           const std::map<std::string, torch::Tensor>& parameters);

// HF tensors (by name) → ropelm parameters: padding rows of the vocabulary are zeros (no token reads them).
// Throws UserError naming a missing tensor, one of the wrong shape, or one HF Llama does not have.
NamedTensors from_hf_tensors(const TransformerOptions& options,
                             const std::map<std::string, torch::Tensor>& hf_tensors);

// Interleaved-RoPE rows of `heads` heads → rotate-half rows, and back: within each head, half-layout row i is
// interleaved row 2i and row i + hs/2 is row 2i + 1 (convert_llama_weights_to_hf.py's `permute`).
torch::Tensor interleaved_to_half_rows(const torch::Tensor& weight, int64_t heads);
torch::Tensor half_to_interleaved_rows(const torch::Tensor& weight, int64_t heads);

}  // namespace ropelm
