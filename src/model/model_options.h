// The shape and behaviour of a Transformer: options resolved from the `model` config section, and their
// checks.
#pragma once

#include <torch/arg.h>

#include <cstdint>
#include <string>

#include "config/config.h"

namespace ropelm {

struct TransformerOptions {
  TransformerOptions(int64_t vocab_size, int64_t d_model, int64_t n_layers, int64_t n_heads)
      : vocab_size_(vocab_size), d_model_(d_model), n_layers_(n_layers), n_heads_(n_heads) {}

  // Resolved sizes: every "0 = default" option turned into its value.
  int64_t kv_heads() const { return n_kv_heads_ == 0 ? n_heads_ : n_kv_heads_; }
  int64_t head_dim() const { return d_model_ / n_heads_; }
  int64_t padded_vocab_size() const {
    return (vocab_size_ + pad_vocab_multiple_ - 1) / pad_vocab_multiple_ * pad_vocab_multiple_;
  }
  // SwiGLU keeps the parameter count of a 4·d GELU MLP with 2/3 of its width (Shazeer 2020; Llama rounds up).
  int64_t mlp_hidden_size() const {
    if (mlp_hidden_ > 0) return mlp_hidden_;
    if (mlp_ == MlpKind::kGELU) return 4 * d_model_;
    return (8 * d_model_ / 3 + 63) / 64 * 64;
  }

  // Real vocabulary size (the tokenizer's); the embedding table is padded up to pad_vocab_multiple.
  TORCH_ARG(int64_t, vocab_size);
  TORCH_ARG(int64_t, pad_vocab_multiple) = 64;
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, n_layers);
  TORCH_ARG(int64_t, n_heads);
  // Grouped-query attention (Ainslie et al. 2023): 0 means n_heads (plain multi-head attention).
  TORCH_ARG(int64_t, n_kv_heads) = 0;
  TORCH_ARG(MlpKind, mlp) = MlpKind::kSwiGLU;
  // 0: 8/3·d_model rounded up to a multiple of 64 (SwiGLU) or 4·d_model (GELU).
  TORCH_ARG(int64_t, mlp_hidden) = 0;
  TORCH_ARG(NormKind, norm) = NormKind::kRMSNorm;
  TORCH_ARG(double, norm_eps) = 1e-5;
  TORCH_ARG(double, dropout) = 0.0;
  TORCH_ARG(bool, bias) = false;
  TORCH_ARG(bool, tie_embeddings) = true;
  TORCH_ARG(double, init_std) = 0.02;
  TORCH_ARG(PositionKind, position) = PositionKind::kRope;
  // Length of the learned position table; longer inputs are refused when position = learned.
  TORCH_ARG(int64_t, max_seq_len) = 1024;
  TORCH_ARG(double, rope_theta) = 10000.0;
  TORCH_ARG(RopeStyle, rope_style) = RopeStyle::kHalf;
  TORCH_ARG(RopeScaling, rope_scaling) = RopeScaling::kNone;
  TORCH_ARG(double, rope_scaling_factor) = 1.0;
  // The context the model was trained on (data.context_length): YaRN's L, against which it measures how often
  // each RoPE dimension turns.
  TORCH_ARG(int64_t, original_context) = 0;
  // YaRN's ramp (Peng et al. 2023, section 3.2): dimensions turning fewer than yarn_alpha times over the
  // original context are interpolated, more than yarn_beta times kept.
  TORCH_ARG(double, yarn_alpha) = 1.0;
  TORCH_ARG(double, yarn_beta) = 32.0;
  TORCH_ARG(AttentionKind, attention) = AttentionKind::kAuto;
};

// Throws UserError naming the `model.*` key at fault, e.g. "model.n_heads = 5 does not divide model.d_model =
// 256".
void validate(const TransformerOptions& options);

// The `model` section plus what other sections decide: the tokenizer's vocabulary size and the training
// context length (the learned table's length when model.max_seq_len is 0). Validates the result.
TransformerOptions from_config(const ModelConfig& config, int64_t vocab_size, int64_t context_length);

// Whether attention runs through at::scaled_dot_product_attention: `auto` picks it where available.
bool uses_sdpa(AttentionKind kind);

}  // namespace ropelm
