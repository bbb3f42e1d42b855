// Fixed sinusoidal position encodings (Vaswani et al. 2017, section 3.5), added to the token embeddings.
#pragma once

#include <torch/torch.h>

#include <algorithm>

namespace ropelm {

// PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d)). Computed on demand and
// cached for one device like the RoPE tables: not a parameter nor a buffer, so never saved and never
// length-limited.
class SinusoidalPositions {
 public:
  explicit SinusoidalPositions(int64_t dim) : dim_(dim) {}

  // Encodings of positions [offset, offset + length): (length, dim), fp32, on `device`.
  torch::Tensor encodings(int64_t offset, int64_t length, torch::Device device) const {
    if (!table_.defined() || table_.device() != device || table_.size(0) < offset + length) {
      c10::InferenceMode not_inference(false);  // docs/libtorch-notes.md#inference-tensors
      int64_t capacity = offset + length;
      if (table_.defined() && table_.device() == device) capacity = std::max(capacity, 2 * table_.size(0));
      auto f64 = torch::TensorOptions().dtype(torch::kFloat64).device(device);
      auto frequencies = torch::pow(10000.0, -torch::arange(0, dim_, 2, f64) / static_cast<double>(dim_));
      auto angles = torch::outer(torch::arange(capacity, f64), frequencies);  // (capacity, dim/2)
      table_ =
          torch::stack({angles.sin(), angles.cos()}, -1).flatten(-2).to(torch::kFloat);  // (capacity, dim)
    }
    return table_.narrow(0, offset, length);
  }

 private:
  int64_t dim_;
  mutable torch::Tensor table_;
};

}  // namespace ropelm
