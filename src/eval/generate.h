// Sampling text from a model with the KV cache: temperature, top-k, top-p (nucleus), greedy at temperature 0.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <vector>

#include "model/transformer.h"
#include "tokenizer/tokenizer.h"

namespace ropelm {

struct SamplingOptions {
  int64_t max_new_tokens = 100;
  double temperature = 1.0;  // 0: greedy
  int64_t top_k = 0;         // 0: off
  double top_p = 1.0;        // 1: off
  uint64_t seed = 0;
  // Throws UserError naming the option when out of range.
  void validate() const;
};

// The next token from the last position's logits (V): a pure function of the logits and the generator.
TokenId sample_token(const torch::Tensor& logits, const SamplingOptions& options, at::Generator& generator);

// Feeds the prompt, then samples up to max_new_tokens (stopping at `stop_id` when given), calling on_token
// with each new id. Stops early when the model's position limit is reached.
std::vector<TokenId> generate(Transformer& model, const std::vector<TokenId>& prompt,
                              const SamplingOptions& options, std::optional<TokenId> stop_id,
                              torch::Device device, const std::function<void(TokenId)>& on_token);

}  // namespace ropelm
