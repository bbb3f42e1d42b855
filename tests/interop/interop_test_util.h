// Helpers shared by the interop tests: models with random weights, a per-test directory.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "checkpoint/safetensors_writer.h"
#include "model/transformer.h"
#include "support/temp_dir.h"

namespace ropelm::testing {

// Two layers, d_model 32, four heads of 8, a vocabulary of 50 padded to 64.
inline TransformerOptions small_options() {
  return TransformerOptions(50, 32, 2, 4).pad_vocab_multiple(64).max_seq_len(16);
}

// A model whose every weight is random and far from its initialisation (norm gains included), so that a
// wrong row order or a swapped tensor changes the logits.
inline Transformer random_model(const TransformerOptions& options, uint64_t seed = 7) {
  torch::manual_seed(seed);
  Transformer model(options);
  torch::NoGradGuard no_grad;
  for (auto& item : model->named_parameters()) {
    bool gain = item.key().find("norm") != std::string::npos;
    item.value().copy_(gain ? 1 + 0.3 * torch::randn_like(item.value())
                            : 0.3 * torch::randn_like(item.value()));
  }
  model->eval();
  return model;
}

inline std::map<std::string, torch::Tensor> by_name(const NamedTensors& tensors) {
  return {tensors.begin(), tensors.end()};
}

}  // namespace ropelm::testing
