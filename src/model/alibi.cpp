// ALiBi head slopes and the per-forward bias of attention scores.
#include "model/alibi.h"

#include <cmath>
#include <limits>

namespace ropelm {

std::vector<double> alibi_slopes(int64_t n_heads) {
  int64_t power = 1;  // the largest power of two ≤ n_heads
  while (power * 2 <= n_heads) power *= 2;
  std::vector<double> slopes;
  for (int64_t h = 1; h <= power; ++h) slopes.push_back(std::exp2(-8.0 * h / power));
  // The odd-numbered slopes of 2·power heads interleave the ones above: they fill the remaining heads.
  for (int64_t h = 1; static_cast<int64_t>(slopes.size()) < n_heads; h += 2) {
    slopes.push_back(std::exp2(-8.0 * h / (2 * power)));
  }
  return slopes;
}

AlibiBias::AlibiBias(int64_t n_heads) : slopes_(alibi_slopes(n_heads)) {}

torch::Tensor AlibiBias::bias(int64_t offset, int64_t T, torch::Device device) const {
  if (!slopes_on_device_.defined() || slopes_on_device_.device() != device) {
    c10::InferenceMode not_inference(false);  // training reuses it: docs/libtorch-notes.md#inference-tensors
    const auto n = static_cast<int64_t>(slopes_.size());
    slopes_on_device_ = torch::tensor(slopes_, torch::kFloat64).to(torch::kFloat).view({n, 1, 1}).to(device);
  }
  auto f32 = torch::TensorOptions().dtype(torch::kFloat).device(device);
  auto queries = torch::arange(offset, offset + T, f32).view({T, 1});  // (T, 1)
  auto keys = torch::arange(offset + T, f32).view({1, offset + T});    // (1, L)
  auto distance = queries - keys;                                      // (T, L), ≥ 0 for visible keys
  auto bias = -slopes_on_device_ * distance;                           // (nh, T, L)
  return bias.masked_fill(distance < 0, -std::numeric_limits<float>::infinity());
}

}  // namespace ropelm
