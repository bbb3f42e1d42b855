// Refusing a run whose model and activations cannot fit in memory, before anything is allocated: a typo such
// as model.d_model=1000000000 must be one line naming the key, not an allocator failure (or the OOM killer).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/config.h"
#include "model/model_options.h"

namespace ropelm {

// Parameters of a model with these options, counted from the shapes alone (no tensor is made): embedding
// (padded vocab), learned positions, per block the qkv/out projections, the MLP and two norms, the final
// norm and an untied head. Biases are left out (at most a few d_model per layer). Double: absurd sizes must
// not overflow.
double estimated_parameters(const TransformerOptions& options);

// Bytes one training process needs, fp32: weights, gradients and two AdamW moments (16 bytes a parameter),
// plus the activations autograd keeps for one micro-batch of B windows of T tokens (per block about
// 16·d + 3·hidden values a token and 2·heads·T attention weights, then three copies of the logits).
double estimated_training_bytes(const TransformerOptions& options, int64_t batch_size,
                                int64_t context_length);

// MemAvailable of /proc/meminfo in bytes; nullopt when it cannot be read (then nothing is checked).
std::optional<double> available_memory_bytes();

// Throws UserError when estimated_training_bytes exceeds the available memory (CPU training; on CUDA only
// the weights are checked, which are built on the host first), naming the keys that size the estimate.
void check_training_memory(const Config& config, int64_t vocab_size, bool on_cuda);

}  // namespace ropelm
