// Causal multi-head self-attention with fused q/k/v projection, RoPE or ALiBi, grouped-query heads and a KV
// cache.
#pragma once

#include <torch/torch.h>

#include "model/kv_cache.h"
#include "model/model_options.h"

namespace ropelm {

// What every layer of one forward shares, built once by the Transformer.
struct AttentionContext {
  torch::Tensor cos, sin;  // RoPE tables of the T new positions: (T, 1, hs/2), fp32; undefined without RoPE
  // (T, offset + T) bool, true where a key lies in a query's future. Undefined when nothing is masked (T =
  // 1), when SDPA masks by itself (is_causal, offset 0), or when `bias` masks.
  torch::Tensor blocked;
  // ALiBi only: (n_heads, T, offset + T) fp32 added to the scaled scores, −inf for future keys (so it is the
  // causal mask too); undefined otherwise.
  torch::Tensor bias;
  int64_t offset = 0;  // position of the first new token (the KV cache length)
  KVCache* cache = nullptr;
};

// Parameters: qkv.weight (n_heads + 2 n_kv_heads) hs × d_model, rows [q heads | k heads | v heads], each
// head's rows contiguous; out.weight d_model × n_heads hs (the residual projection). Biases only with
// options.bias.
class CausalSelfAttentionImpl : public torch::nn::Module {
 public:
  CausalSelfAttentionImpl(const TransformerOptions& options, int64_t layer_index);

  // x: (B, T, C) → (B, T, C)
  torch::Tensor forward(const torch::Tensor& x, const AttentionContext& context);

  torch::nn::Linear qkv{nullptr};
  torch::nn::Linear out{nullptr};

 private:
  torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                       const AttentionContext& context);

  int64_t n_heads_;
  int64_t n_kv_heads_;
  int64_t head_dim_;
  int64_t layer_index_;  // its slot in the KV cache
  double dropout_;
  bool rope_;
  RopeStyle rope_style_;
  bool sdpa_;
};
TORCH_MODULE(CausalSelfAttention);

}  // namespace ropelm
