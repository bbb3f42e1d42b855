// A forward pass written from llama.cpp's `llama` graph (src/models/llama.cpp: build_norm RMS, ggml_rope_ext
// with LLAMA_ROPE_TYPE_NORM, i.e. adjacent pairs (2i, 2i+1) at angle pos · freq_base^(-2i / n_rot) ·
// freq_scale, grouped KV heads shared by consecutive query heads, SiLU-gated FFN): it sees only a GGUF file's
// llama.* metadata and its tensors under llama.cpp's names, so agreeing with Transformer::forward shows that
// llama.cpp computes the same function from the export.
#pragma once

#include <torch/torch.h>

#include <cmath>
#include <map>
#include <string>

#include "interop/gguf_file.h"
#include "interop/gguf_tensor_codec.h"

namespace ropelm::testing::gguf_llama {

struct Model {
  std::map<std::string, torch::Tensor> w;  // decoded to fp32
  int64_t n_layer, n_head, n_head_kv, n_rot;
  double eps, freq_base, freq_scale;
};

inline Model load(const GgufFile& file) {
  Model m;
  for (const auto& tensor : file.tensors) m.w[tensor.name] = decode_gguf_tensor(tensor);
  auto u = [&](const std::string& key) { return static_cast<int64_t>(*gguf_uint(file, key, true)); };
  m.n_layer = u("llama.block_count");
  m.n_head = u("llama.attention.head_count");
  m.n_head_kv = u("llama.attention.head_count_kv");
  m.n_rot = u("llama.rope.dimension_count");
  m.eps = *gguf_float(file, "llama.attention.layer_norm_rms_epsilon", true);
  m.freq_base = *gguf_float(file, "llama.rope.freq_base", true);
  m.freq_scale = 1.0 / gguf_float(file, "llama.rope.scaling.factor", false).value_or(1.0);
  return m;
}

inline torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
  return weight * (x * torch::rsqrt(x.pow(2).mean(-1, /*keepdim=*/true) + eps));
}

// ggml_rope NORM on (B, T, n, hs): rotates each adjacent pair (x[2i], x[2i+1]).
inline torch::Tensor rope_norm(const Model& m, const torch::Tensor& x) {
  const int64_t T = x.size(1), hs = x.size(3);
  auto inv = torch::pow(m.freq_base, -torch::arange(0, hs, 2, torch::kDouble) / m.n_rot);  // (hs/2)
  auto angle = torch::outer(torch::arange(T, torch::kDouble) * m.freq_scale, inv).to(torch::kFloat);
  auto cos = angle.cos().view({1, T, 1, hs / 2}), sin = angle.sin().view({1, T, 1, hs / 2});
  auto pairs = x.view({x.size(0), T, x.size(2), hs / 2, 2});
  auto x0 = pairs.select(-1, 0), x1 = pairs.select(-1, 1);
  return torch::stack({x0 * cos - x1 * sin, x0 * sin + x1 * cos}, -1).view(x.sizes());
}

inline torch::Tensor attention(const Model& m, const std::string& p, const torch::Tensor& x) {
  const int64_t B = x.size(0), T = x.size(1), hs = m.n_rot;
  auto q = rope_norm(m, torch::linear(x, m.w.at(p + "attn_q.weight")).view({B, T, m.n_head, hs}));
  auto k = rope_norm(m, torch::linear(x, m.w.at(p + "attn_k.weight")).view({B, T, m.n_head_kv, hs}));
  auto v = torch::linear(x, m.w.at(p + "attn_v.weight")).view({B, T, m.n_head_kv, hs});
  // ggml_mul_mat broadcasts KV head j over query heads j·r .. j·r + r - 1.
  const int64_t r = m.n_head / m.n_head_kv;
  k = k.repeat_interleave(r, 2).transpose(1, 2);
  v = v.repeat_interleave(r, 2).transpose(1, 2);
  auto scores = torch::matmul(q.transpose(1, 2), k.transpose(2, 3)) / std::sqrt(static_cast<double>(hs));
  auto future = torch::ones({T, T}, torch::kBool).triu(1);
  auto out = torch::matmul(torch::softmax(scores.masked_fill(future, -INFINITY), -1), v);
  return torch::linear(out.transpose(1, 2).reshape({B, T, m.n_head * hs}), m.w.at(p + "attn_output.weight"));
}

// (B, T) ids → (B, T, n_vocab) logits.
inline torch::Tensor logits(const Model& m, const torch::Tensor& ids) {
  auto h = torch::embedding(m.w.at("token_embd.weight"), ids);
  for (int64_t i = 0; i < m.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    h = h + attention(m, p, rms_norm(h, m.w.at(p + "attn_norm.weight"), m.eps));
    auto x = rms_norm(h, m.w.at(p + "ffn_norm.weight"), m.eps);
    auto gated = torch::silu(torch::linear(x, m.w.at(p + "ffn_gate.weight"))) *
                 torch::linear(x, m.w.at(p + "ffn_up.weight"));
    h = h + torch::linear(gated, m.w.at(p + "ffn_down.weight"));
  }
  h = rms_norm(h, m.w.at("output_norm.weight"), m.eps);
  auto output = m.w.count("output.weight") ? m.w.at("output.weight") : m.w.at("token_embd.weight");
  return torch::linear(h, output);
}

}  // namespace ropelm::testing::gguf_llama
