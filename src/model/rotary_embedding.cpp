// RoPE tables (fp64 angles, fp32 cos/sin, cached per device) and the rotation in both pairing layouts.
#include "model/rotary_embedding.h"

#include <algorithm>
#include <cmath>

namespace ropelm {

RotaryEmbedding::RotaryEmbedding(RotaryOptions options) : options_(options) {}

torch::Tensor RotaryEmbedding::inverse_frequencies() const {
  const double d = static_cast<double>(options_.head_dim());
  if (options_.scaling() == RopeScaling::kYarn) {
    YarnOptions yarn;
    yarn.head_dim = options_.head_dim();
    yarn.theta = options_.theta();
    yarn.factor = options_.factor();
    yarn.original_context = options_.original_context();
    yarn.alpha = options_.yarn_alpha();
    yarn.beta = options_.yarn_beta();
    return yarn_inverse_frequencies(yarn);
  }
  double theta = options_.theta();
  if (options_.scaling() == RopeScaling::kNTK) theta *= std::pow(options_.factor(), d / (d - 2.0));
  auto exponents = torch::arange(0, options_.head_dim(), 2, torch::kFloat64) / d;  // 2i / d
  return torch::pow(theta, -exponents);
}

void RotaryEmbedding::grow(int64_t length, torch::Device device) const {
  // Tables used by training must not be inference tensors (docs/libtorch-notes.md#inference-tensors), even if
  // the first call is made under InferenceMode.
  c10::InferenceMode not_inference(false);
  int64_t capacity = length;
  if (cos_.defined() && cos_.device() == device) capacity = std::max(length, 2 * cos_.size(0));
  auto positions = torch::arange(capacity, torch::TensorOptions().dtype(torch::kFloat64).device(device));
  if (options_.scaling() == RopeScaling::kLinear) positions = positions / options_.factor();
  // Angles in fp64 so that large positions keep their precision; the tables themselves are fp32.
  auto angles = torch::outer(positions, inverse_frequencies().to(device));  // (capacity, hs/2)
  // YaRN's temperature acts on q and k alike through the tables (exactly 1 for a factor of 1).
  const double scale =
      options_.scaling() == RopeScaling::kYarn ? yarn_attention_factor(options_.factor()) : 1.0;
  cos_ = (angles.cos() * scale).to(torch::kFloat).unsqueeze(1);  // (capacity, 1, hs/2)
  sin_ = (angles.sin() * scale).to(torch::kFloat).unsqueeze(1);
}

std::pair<torch::Tensor, torch::Tensor> RotaryEmbedding::cos_sin(int64_t offset, int64_t length,
                                                                 torch::Device device) const {
  if (!cos_.defined() || cos_.device() != device || cos_.size(0) < offset + length)
    grow(offset + length, device);
  return {cos_.narrow(0, offset, length), sin_.narrow(0, offset, length)};
}

torch::Tensor apply_rotary(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                           RopeStyle style) {
  const int64_t half = x.size(-1) / 2;
  torch::Tensor x1, x2;  // the two coordinates of each rotated pair: (B, T, n, hs/2)
  if (style == RopeStyle::kHalf) {
    x1 = x.narrow(-1, 0, half);
    x2 = x.narrow(-1, half, half);
  } else {
    auto sizes = x.sizes().vec();
    sizes.back() = half;
    sizes.push_back(2);
    auto pairs = x.view(sizes);  // (B, T, n, hs/2, 2)
    x1 = pairs.select(-1, 0);
    x2 = pairs.select(-1, 1);
  }
  // (x1, x2) → (x1 cos − x2 sin, x1 sin + x2 cos); cos/sin are fp32, so type promotion computes in fp32.
  auto r1 = x1 * cos - x2 * sin;
  auto r2 = x1 * sin + x2 * cos;
  auto rotated =
      style == RopeStyle::kHalf ? torch::cat({r1, r2}, -1) : torch::stack({r1, r2}, -1).flatten(-2);
  return rotated.to(x.scalar_type());  // (B, T, n, hs)
}

}  // namespace ropelm
