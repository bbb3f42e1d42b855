// Rotary position embedding (RoPE, Su et al. 2021 "RoFormer"): cos/sin tables and the rotation of q and k.
#pragma once

#include <torch/torch.h>

#include <utility>

#include "model/model_options.h"
#include "model/yarn.h"

namespace ropelm {

struct RotaryOptions {
  explicit RotaryOptions(int64_t head_dim) : head_dim_(head_dim) {}
  TORCH_ARG(int64_t, head_dim);
  TORCH_ARG(double, theta) = 10000.0;
  // Evaluating past the training context: linear = position interpolation (Chen et al. 2023, positions /
  // factor); ntk = NTK-aware base change (bloc97 2023, theta · factor^(d / (d - 2))); yarn = YaRN (Peng et
  // al. 2023, model/yarn.h: frequencies interpolated by parts, cos and sin scaled by the attention factor).
  TORCH_ARG(RopeScaling, scaling) = RopeScaling::kNone;
  TORCH_ARG(double, factor) = 1.0;
  // yarn only: the trained context L and the ramp's bounds.
  TORCH_ARG(int64_t, original_context) = 0;
  TORCH_ARG(double, yarn_alpha) = 1.0;
  TORCH_ARG(double, yarn_beta) = 32.0;
};

// Holds cos/sin of position · frequency in fp32 for one device, grown on demand (the table doubles, so
// decoding token by token rebuilds it O(log n) times). A cache, not a buffer: never saved, rebuilt after
// loading. Not thread-safe: one model per thread.
class RotaryEmbedding {
 public:
  explicit RotaryEmbedding(RotaryOptions options);

  // cos and sin of positions [offset, offset + length): each (length, 1, head_dim / 2), fp32, on `device`;
  // with yarn both are scaled by its attention factor.
  std::pair<torch::Tensor, torch::Tensor> cos_sin(int64_t offset, int64_t length, torch::Device device) const;

  // The angle frequencies theta^(-2i/d), i < d/2, with NTK or YaRN scaling applied: (head_dim / 2), fp64 on
  // CPU.
  torch::Tensor inverse_frequencies() const;

 private:
  void grow(int64_t length, torch::Device device) const;

  RotaryOptions options_;
  mutable torch::Tensor cos_;  // (capacity, 1, head_dim / 2)
  mutable torch::Tensor sin_;
};

// Rotates x (B, T, n, hs) at the positions of cos/sin (T, 1, hs/2). half pairs dimension i with i + hs/2
// (Llama/HF "rotate_half"); interleaved pairs 2i with 2i+1 (RoFormer, Meta's Llama). Computed in fp32,
// returned in x's dtype.
torch::Tensor apply_rotary(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                           RopeStyle style);

}  // namespace ropelm
