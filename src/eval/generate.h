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
  std::vector<TokenId> never_sample;  // ids masked out before sampling (unsampled_ids: [UNK], [PAD], ...)
  // Throws UserError naming the option when out of range.
  void validate() const;
};

// The ids a sampler must never emit: the unknown token and the special tokens that mark structure rather
// than text ([PAD] [CLS] [MASK], <unk> <s> <pad>), except the end-of-document id, which ends a generation.
std::vector<TokenId> unsampled_ids(const Tokenizer& tokenizer);

// The longest sequence generate should build: the context the model was trained on (data.context_length),
// or model.max_seq_len when that is longer. RoPE has no hard limit, but the KV cache holds this many
// positions and the model never learned anything beyond them.
int64_t generation_limit(int64_t context_length, int64_t max_seq_len);

// max_new_tokens cut so that prompt + new tokens fit `limit`, with one warning line when it had to be cut.
// Throws UserError when the prompt alone does not fit.
int64_t fitting_new_tokens(int64_t max_new_tokens, int64_t prompt_tokens, int64_t limit);

// The next token from the last position's logits (V): a pure function of the logits and the generator.
TokenId sample_token(const torch::Tensor& logits, const SamplingOptions& options, at::Generator& generator);

// Feeds the prompt, then samples up to max_new_tokens (stopping at `stop_id` when given), calling on_token
// with each new id. Stops early when the model's position limit is reached.
std::vector<TokenId> generate(Transformer& model, const std::vector<TokenId>& prompt,
                              const SamplingOptions& options, std::optional<TokenId> stop_id,
                              torch::Device device, const std::function<void(TokenId)>& on_token);

}  // namespace ropelm
