// Small helpers shared by the model tests: a tiny configuration and random token ids.
#pragma once

#include <torch/torch.h>

#include "model/model_options.h"

namespace ropelm::testing {

// Two layers, d_model 32, four heads of 8: fast enough to run a few hundred steps on one CPU core.
inline TransformerOptions tiny_options(int64_t vocab_size = 50) {
  return TransformerOptions(vocab_size, 32, 2, 4).pad_vocab_multiple(16).max_seq_len(64);
}

inline torch::Tensor random_ids(int64_t B, int64_t T, int64_t vocab_size) {
  return torch::randint(vocab_size, {B, T}, torch::kLong);
}

}  // namespace ropelm::testing
