// ALiBi (Press et al. 2022, "Train Short, Test Long: Attention with Linear Biases Enables Input Length
// Extrapolation"): no position embedding at all; each head adds −m·distance to its attention scores.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace ropelm {

// The paper's head slopes (section 3): for n heads, n a power of two, the geometric sequence starting at
// 2^(−8/n) with that ratio, m_h = 2^(−8h/n), h = 1..n. For other n, the slopes of the largest power of two
// p < n, followed by every other slope of 2p heads (2^(−8(2j+1)/(2p)), j = 0, 1, ...) until there are n
// (the paper's reference code, get_slopes in ofirpress/attention_with_linear_biases).
std::vector<double> alibi_slopes(int64_t n_heads);

// The biases of one forward, cached like the RoPE tables: the slopes live on the device of the last call, not
// as a parameter nor a buffer, so nothing is saved and any length works.
class AlibiBias {
 public:
  explicit AlibiBias(int64_t n_heads);

  // (n_heads, T, offset + T) fp32 on `device`: query i sits at position offset + i, and its score for the key
  // at position j gets −m_h · (offset + i − j) (paper eq. in section 3, softmax(q_i Kᵀ + m · [−(i−1), …, −1,
  // 0])); future keys (j > offset + i) get −inf, so the bias is also the causal mask.
  torch::Tensor bias(int64_t offset, int64_t T, torch::Device device) const;

  const std::vector<double>& slopes() const { return slopes_; }

 private:
  std::vector<double> slopes_;
  mutable torch::Tensor slopes_on_device_;  // (n_heads, 1, 1) fp32
};

}  // namespace ropelm
