// The decoder-only language model: embeddings → pre-norm blocks → final norm → (tied) LM head.
#pragma once

#include <torch/torch.h>

#include <optional>

#include "model/alibi.h"
#include "model/block.h"
#include "model/kv_cache.h"
#include "model/model_options.h"
#include "model/norm.h"
#include "model/positional.h"
#include "model/rotary_embedding.h"

namespace ropelm {

// Parameter names (HF Llama export: split blocks.i.attn.qkv.weight rows into q/k/v and mlp.gate_up into
// gate/up):
//   tok_embeddings.weight            (padded_vocab, d_model)
//   pos_embeddings.weight            (max_seq_len, d_model), position = learned only
//   blocks.{i}.attn_norm.weight      (d_model)            .bias with layernorm + bias
//   blocks.{i}.attn.qkv.weight       ((n_heads + 2 n_kv_heads) hs, d_model)
//   blocks.{i}.attn.out.weight       (d_model, n_heads hs)
//   blocks.{i}.mlp_norm.weight       (d_model)
//   blocks.{i}.mlp.gate_up.weight    (2 h, d_model)  swiglu;  blocks.{i}.mlp.up.weight (h, d_model) gelu
//   blocks.{i}.mlp.down.weight       (d_model, h)
//   norm.weight                      (d_model)
//   lm_head.weight                   (padded_vocab, d_model), only when tie_embeddings = false
// Linear biases (<linear>.bias) exist only with options.bias. Nothing else is saved: RoPE and sinusoidal
// tables and ALiBi slopes are caches.
class TransformerImpl : public torch::nn::Module {
 public:
  explicit TransformerImpl(TransformerOptions options);

  // input_ids (B, T) int64 → logits (B, T, vocab_size) over the real vocabulary: the head multiplies only the
  // real rows of the padded table, so padding tokens have no logit and never get probability.
  // With a cache, the tokens continue its sequence (positions cache->length() ..) and the cache grows by T.
  torch::Tensor forward(const torch::Tensor& input_ids, KVCache* cache = nullptr);

  const TransformerOptions& options() const { return options_; }

  // The LM head's weight: the token embedding when tied, else lm_head; (padded_vocab, d_model).
  const torch::Tensor& head_weight() const;

  // Longest input accepted: max_seq_len for learned positions, unlimited (INT64_MAX) otherwise.
  int64_t max_positions() const;

  // The RoPE tables, for tests and exporters; std::nullopt unless position = rope.
  const std::optional<RotaryEmbedding>& rotary() const { return rotary_; }

  // Runs the model with another RoPE context extension from now on (eval --rope-scaling): the tables are
  // caches, never saved, so this rebuilds them and leaves every weight alone. Throws UserError unless
  // position = rope, and for a factor below 1.
  void set_rope_scaling(RopeScaling scaling, double factor);

  torch::nn::Embedding tok_embeddings{nullptr};
  torch::nn::Embedding pos_embeddings{nullptr};  // position = learned only
  torch::nn::ModuleList blocks{nullptr};
  Norm norm{nullptr};
  torch::nn::Linear lm_head{nullptr};  // tie_embeddings = false only

 private:
  torch::Tensor embed(const torch::Tensor& input_ids, int64_t offset);
  AttentionContext attention_context(int64_t offset, int64_t T, torch::Device device, KVCache* cache) const;
  void init_weights();

  TransformerOptions options_;
  std::optional<RotaryEmbedding> rotary_;
  std::optional<SinusoidalPositions> sinusoidal_;
  std::optional<AlibiBias> alibi_;
};
TORCH_MODULE(Transformer);

}  // namespace ropelm
