// Keys and values of earlier positions, kept per layer for incremental (token-by-token) decoding.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "util/error.h"

namespace ropelm {

// Buffers are allocated on the first append with room for `capacity` positions, so decoding writes in place
// instead of concatenating at every step. Transformer::forward appends every layer, then advances the length.
class KVCache {
 public:
  explicit KVCache(int64_t capacity) : capacity_(capacity) {}

  // Positions already cached: the position of the next token fed.
  int64_t length() const { return length_; }
  int64_t capacity() const { return capacity_; }

  // Throws UserError when `count` more positions do not fit.
  void check_room(int64_t count) const {
    if (length_ + count > capacity_) {
      throw UserError("KV cache holds " + std::to_string(capacity_) + " positions; " +
                      std::to_string(length_) + " cached + " + std::to_string(count) + " new do not fit");
    }
  }

  // Stores k, v (B, n_kv, T, hs) of `layer` at positions [length, length + T); returns all cached keys and
  // values (B, n_kv, length + T, hs) as views of the buffers.
  std::pair<torch::Tensor, torch::Tensor> append(int64_t layer, const torch::Tensor& k,
                                                 const torch::Tensor& v) {
    if (static_cast<int64_t>(keys_.size()) <= layer) {
      keys_.resize(layer + 1);
      values_.resize(layer + 1);
    }
    auto& keys = keys_[layer];
    auto& values = values_[layer];
    if (!keys.defined() || keys.size(0) != k.size(0) || keys.device() != k.device() ||
        keys.scalar_type() != k.scalar_type()) {
      keys = torch::empty({k.size(0), k.size(1), capacity_, k.size(3)}, k.options());
      values = torch::empty({v.size(0), v.size(1), capacity_, v.size(3)}, v.options());
    }
    const int64_t T = k.size(2);
    keys.narrow(2, length_, T).copy_(k);
    values.narrow(2, length_, T).copy_(v);
    return {keys.narrow(2, 0, length_ + T), values.narrow(2, 0, length_ + T)};
  }

  void advance(int64_t count) { length_ += count; }

  // Forgets every position; the buffers are kept (and reallocated only if the batch size, dtype or device
  // change).
  void reset() { length_ = 0; }

 private:
  int64_t capacity_;
  int64_t length_ = 0;
  std::vector<torch::Tensor> keys_;  // per layer: (B, n_kv, capacity, hs)
  std::vector<torch::Tensor> values_;
};

}  // namespace ropelm
