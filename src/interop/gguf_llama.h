// llama.cpp's `llama` architecture in GGUF: its general.* / llama.* metadata and tensor names, made from (and
// read back into) the Hugging Face Llama form that hf_config.h and hf_tensor_names.h define, as llama.cpp's
// own convert_hf_to_gguf.py does.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "checkpoint/safetensors_writer.h"
#include "interop/gguf_file.h"

namespace ropelm {

// Sets general.architecture = "llama", general.name, general.file_type (and quantization_version for Q8_0),
// general.alignment and the llama.* hyperparameters from a config.json (hf_config_json): context, embedding,
// block and feed-forward lengths, head counts, RoPE dimension count, freq base and linear scaling, RMS-norm
// epsilon, vocab size.
void add_llama_metadata(GgufFile& file, const nlohmann::json& hf_config, const std::string& name,
                        GgmlType dtype);

// HF Llama tensors (to_hf_tensors) as GGUF tensors under llama.cpp's names (token_embd, blk.N.attn_q, ...,
// output_norm, output), q and k rows in the adjacent-pairs layout llama.cpp's NORM RoPE rotates. Matrices are
// encoded as `dtype` (Q8_0 falls back to F16 for rows that are not whole blocks); norm gains stay F32.
std::vector<GgufTensor> llama_gguf_tensors(const NamedTensors& hf_tensors, const nlohmann::json& hf_config,
                                           GgmlType dtype);

// The config.json of a GGUF file of architecture llama (UserError naming the key otherwise).
nlohmann::json hf_config_from_gguf(const GgufFile& file);

// The file's tensors under HF Llama names, fp32, q/k rows back in rotate-half order. UserError for a tensor
// llama has no place for, or one of the wrong shape for the config.
NamedTensors hf_tensors_from_gguf(const GgufFile& file, const nlohmann::json& hf_config);

}  // namespace ropelm
