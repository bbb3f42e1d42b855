// Causal self-attention: fused qkv projection → RoPE on q and k → KV cache → SDPA or masked softmax (plus the
// ALiBi bias) → out.
#include "model/attention.h"

#include <cmath>
#include <limits>

#include "model/rotary_embedding.h"
#include "util/libtorch_features.h"

namespace ropelm {
namespace {

// Grouped-query attention shares each k/v head among n_heads / n_kv_heads consecutive query heads (HF's
// repeat_kv layout): (B, n_kv, L, hs) → (B, n_kv · repeats, L, hs).
torch::Tensor repeat_kv(const torch::Tensor& x, int64_t repeats) {
  if (repeats == 1) return x;
  const int64_t B = x.size(0), n_kv = x.size(1), L = x.size(2), hs = x.size(3);
  return x.unsqueeze(2).expand({B, n_kv, repeats, L, hs}).reshape({B, n_kv * repeats, L, hs});
}

}  // namespace

CausalSelfAttentionImpl::CausalSelfAttentionImpl(const TransformerOptions& options, int64_t layer_index)
    : n_heads_(options.n_heads()),
      n_kv_heads_(options.kv_heads()),
      head_dim_(options.head_dim()),
      layer_index_(layer_index),
      dropout_(options.dropout()),
      rope_(options.position() == PositionKind::kRope),
      rope_style_(options.rope_style()),
      sdpa_(uses_sdpa(options.attention())) {
  const int64_t d = options.d_model();
  qkv = register_module(
      "qkv", torch::nn::Linear(
                 torch::nn::LinearOptions(d, (n_heads_ + 2 * n_kv_heads_) * head_dim_).bias(options.bias())));
  out = register_module(
      "out", torch::nn::Linear(torch::nn::LinearOptions(n_heads_ * head_dim_, d).bias(options.bias())));
}

torch::Tensor CausalSelfAttentionImpl::forward(const torch::Tensor& x, const AttentionContext& context) {
  const int64_t B = x.size(0), T = x.size(1), hs = head_dim_;
  auto qkv_out = qkv(x);  // (B, T, (nh + 2 nkv) hs)
  auto qk = qkv_out.narrow(-1, 0, (n_heads_ + n_kv_heads_) * hs).view({B, T, n_heads_ + n_kv_heads_, hs});
  // One rotation for q and k together: the same tables apply to every head (RoFormer eq. 34).
  if (rope_) qk = apply_rotary(qk, context.cos, context.sin, rope_style_);
  auto q = qk.narrow(2, 0, n_heads_).transpose(1, 2);            // (B, nh, T, hs)
  auto k = qk.narrow(2, n_heads_, n_kv_heads_).transpose(1, 2);  // (B, nkv, T, hs)
  auto v = qkv_out.narrow(-1, (n_heads_ + n_kv_heads_) * hs, n_kv_heads_ * hs)
               .view({B, T, n_kv_heads_, hs})
               .transpose(1, 2);  // (B, nkv, T, hs)
  if (context.cache != nullptr)
    std::tie(k, v) = context.cache->append(layer_index_, k, v);  // (B, nkv, L, hs)
  k = repeat_kv(k, n_heads_ / n_kv_heads_);                      // (B, nh, L, hs)
  v = repeat_kv(v, n_heads_ / n_kv_heads_);
  auto y = attend(q, k, v, context).transpose(1, 2).reshape({B, T, n_heads_ * hs});  // (B, T, C)
  y = out(y);
  if (is_training() && dropout_ > 0) y = torch::dropout(y, dropout_, /*train=*/true);
  return y;
}

// q (B, nh, T, hs), k and v (B, nh, L, hs) → (B, nh, T, hs); the T queries are the last T of L positions.
torch::Tensor CausalSelfAttentionImpl::attend(const torch::Tensor& q, const torch::Tensor& k,
                                              const torch::Tensor& v, const AttentionContext& context) {
  const double dropout = is_training() ? dropout_ : 0.0;
#if ROPELM_HAS_SDPA
  if (sdpa_ && context.bias.defined()) {
    // A float mask is added to the scaled scores, as the explicit path adds the bias; it must have q's dtype.
    return at::scaled_dot_product_attention(q, k, v, context.bias.to(q.scalar_type()), dropout, false);
  }
  if (sdpa_) {
    // is_causal aligns its mask top-left, which is right only when queries start at position 0 (no cached
    // prefix); a single query sees every key; the Transformer builds `blocked` for the remaining cases.
    const bool from_start = context.offset == 0 && q.size(2) > 1;
    c10::optional<torch::Tensor> allowed;
    if (context.blocked.defined()) allowed = context.blocked.logical_not();
    return at::scaled_dot_product_attention(q, k, v, allowed, dropout, from_start);
  }
#endif
  // softmax(q kᵀ / √hs) v with future keys masked out (Vaswani et al. 2017, eq. 1; GPT-2's causal mask).
  auto att = torch::matmul(q, k.transpose(-2, -1))
                 .mul_(1.0 / std::sqrt(static_cast<double>(head_dim_)));  // (B, nh, T, L)
  // ALiBi's bias is added after the 1/√hs scaling, as in the paper's fairseq code (and BLOOM).
  if (context.bias.defined()) att = att + context.bias;  // (B, nh, T, L), fp32 for bf16 scores too
  if (context.blocked.defined()) att.masked_fill_(context.blocked, -std::numeric_limits<float>::infinity());
  att = torch::softmax(att, -1);
  if (dropout > 0) att = torch::dropout(att, dropout, /*train=*/true);
  return torch::matmul(att, v);  // (B, nh, T, hs)
}

}  // namespace ropelm
