// One pre-norm transformer block (GPT-2, Llama): x + attn(norm(x)), then x + mlp(norm(x)).
#pragma once

#include <torch/torch.h>

#include "model/attention.h"
#include "model/mlp.h"
#include "model/model_options.h"
#include "model/norm.h"

namespace ropelm {

// Parameters: attn_norm.*, attn.*, mlp_norm.*, mlp.* (HF Llama: input_layernorm, self_attn,
// post_attention_layernorm, mlp).
class BlockImpl : public torch::nn::Module {
 public:
  BlockImpl(const TransformerOptions& options, int64_t layer_index) {
    attn_norm = register_module("attn_norm", Norm(norm_options(options)));
    attn = register_module("attn", CausalSelfAttention(options, layer_index));
    mlp_norm = register_module("mlp_norm", Norm(norm_options(options)));
    mlp = register_module("mlp", MLP(options));
  }

  // x: (B, T, C) → (B, T, C)
  torch::Tensor forward(torch::Tensor x, const AttentionContext& context) {
    x = x + attn(attn_norm(x), context);
    x = x + mlp(mlp_norm(x));
    return x;
  }

  Norm attn_norm{nullptr};
  CausalSelfAttention attn{nullptr};
  Norm mlp_norm{nullptr};
  MLP mlp{nullptr};
};
TORCH_MODULE(Block);

}  // namespace ropelm
