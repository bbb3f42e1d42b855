// A second forward pass written from transformers' modeling_llama.py (LlamaRMSNorm, LlamaRotaryEmbedding,
// rotate_half, repeat_kv, eager_attention_forward, LlamaMLP): it sees only an exported config.json and the
// HF-named tensors, so agreeing with Transformer::forward shows that HF Llama computes the same function.
#pragma once

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <string>
#include <utility>

namespace ropelm::testing::hf_llama {

using Weights = std::map<std::string, torch::Tensor>;

// LlamaRMSNorm.forward (fp32 throughout here).
inline torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
  auto variance = x.pow(2).mean(-1, /*keepdim=*/true);
  return weight * (x * torch::rsqrt(variance + eps));
}

inline torch::Tensor rotate_half(const torch::Tensor& x) {
  const int64_t half = x.size(-1) / 2;
  return torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

// (B, n_kv, T, hs) → (B, n_kv · n_rep, T, hs)
inline torch::Tensor repeat_kv(const torch::Tensor& x, int64_t n_rep) {
  const int64_t B = x.size(0), n_kv = x.size(1), T = x.size(2), hs = x.size(3);
  return x.unsqueeze(2).expand({B, n_kv, n_rep, T, hs}).reshape({B, n_kv * n_rep, T, hs});
}

// LlamaRotaryEmbedding: default inv_freq in fp32, divided by the factor for rope_type linear; (T, hs) each.
inline std::pair<torch::Tensor, torch::Tensor> rope_tables(const nlohmann::json& config, int64_t T) {
  const int64_t hs = config.at("head_dim").get<int64_t>();
  const double theta = config.at("rope_theta").get<double>();
  auto inv_freq = 1.0 / torch::pow(theta, torch::arange(0, hs, 2, torch::kLong).to(torch::kFloat) / hs);
  const auto& scaling = config.at("rope_scaling");
  if (!scaling.is_null() && scaling.at("rope_type") == "linear")
    inv_freq = inv_freq / scaling.at("factor").get<double>();
  auto freqs = torch::outer(torch::arange(T, torch::kFloat), inv_freq);  // (T, hs/2)
  auto emb = torch::cat({freqs, freqs}, -1);                             // (T, hs)
  return {emb.cos(), emb.sin()};
}

inline torch::Tensor attention(const nlohmann::json& config, const Weights& w, const std::string& p,
                               const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  const int64_t B = x.size(0), T = x.size(1), hs = config.at("head_dim").get<int64_t>();
  const int64_t nh = config.at("num_attention_heads").get<int64_t>();
  const int64_t nkv = config.at("num_key_value_heads").get<int64_t>();
  auto q = torch::linear(x, w.at(p + "q_proj.weight")).view({B, T, nh, hs}).transpose(1, 2);
  auto k = torch::linear(x, w.at(p + "k_proj.weight")).view({B, T, nkv, hs}).transpose(1, 2);
  auto v = torch::linear(x, w.at(p + "v_proj.weight")).view({B, T, nkv, hs}).transpose(1, 2);
  q = q * cos + rotate_half(q) * sin;  // apply_rotary_pos_emb
  k = k * cos + rotate_half(k) * sin;
  k = repeat_kv(k, nh / nkv);
  v = repeat_kv(v, nh / nkv);
  auto scores = torch::matmul(q, k.transpose(2, 3)) / std::sqrt(static_cast<double>(hs));
  auto future = torch::ones({T, T}, torch::kBool).triu(1);
  auto probs = torch::softmax(scores.masked_fill(future, -INFINITY), -1);
  auto out = torch::matmul(probs, v).transpose(1, 2).reshape({B, T, nh * hs});
  return torch::linear(out, w.at(p + "o_proj.weight"));
}

// LlamaForCausalLM.forward: input_ids (B, T) → logits (B, T, vocab_size).
inline torch::Tensor logits(const nlohmann::json& config, const Weights& w, const torch::Tensor& input_ids) {
  const double eps = config.at("rms_norm_eps").get<double>();
  auto [cos, sin] = rope_tables(config, input_ids.size(1));
  auto h = torch::embedding(w.at("model.embed_tokens.weight"), input_ids);
  for (int64_t i = 0; i < config.at("num_hidden_layers").get<int64_t>(); ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    h = h + attention(config, w, p + "self_attn.", rms_norm(h, w.at(p + "input_layernorm.weight"), eps), cos,
                      sin);
    auto x = rms_norm(h, w.at(p + "post_attention_layernorm.weight"), eps);
    auto gated = torch::silu(torch::linear(x, w.at(p + "mlp.gate_proj.weight"))) *
                 torch::linear(x, w.at(p + "mlp.up_proj.weight"));
    h = h + torch::linear(gated, w.at(p + "mlp.down_proj.weight"));
  }
  h = rms_norm(h, w.at("model.norm.weight"), eps);
  const bool tied = config.at("tie_word_embeddings").get<bool>();
  return torch::linear(h, w.at(tied ? "model.embed_tokens.weight" : "lm_head.weight"));
}

}  // namespace ropelm::testing::hf_llama
