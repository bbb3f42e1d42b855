// Hugging Face LlamaConfig (config.json) ↔ ropelm's model options: what HF Llama can represent, both ways.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "config/config.h"
#include "model/model_options.h"
#include "tokenizer/tokenizer.h"

namespace ropelm {

struct HfSpecialTokens {
  std::optional<TokenId> bos, eos, pad;
};

// Throws UserError naming the option HF Llama has no equivalent for, e.g. "model.norm = layernorm: HF Llama
// uses RMSNorm; export supports rmsnorm only".
void check_hf_exportable(const TransformerOptions& options);

// config.json of a LlamaForCausalLM with these options (checked with check_hf_exportable first).
// max_position_embeddings: the longest context the model was trained for.
nlohmann::json hf_config_json(const TransformerOptions& options, const HfSpecialTokens& tokens,
                              int64_t max_position_embeddings);

// What a config.json decides about a ropelm run.
struct HfModelConfig {
  ModelConfig model;  // the shape fields; training-only fields (dropout, init_std, ...) stay as given
  int64_t vocab_size = 0;
  int64_t max_position_embeddings = 0;
};

// Reads a Llama config.json over `base` (whose training-only fields are kept). Throws UserError naming the
// config.json field ropelm cannot represent (another architecture, biases, an unsupported rope_scaling).
HfModelConfig parse_hf_config(const nlohmann::json& json, const ModelConfig& base, const std::string& origin);

}  // namespace ropelm
