// Next-token loss as a sum plus a count, so batches and ranks can be weighted per token.
#pragma once

#include <torch/torch.h>

namespace ropelm {

struct TokenNll {
  torch::Tensor sum;    // 0-dim fp32: summed negative log-likelihood (nats) of the counted tokens
  torch::Tensor count;  // 0-dim int64: targets not equal to ignore_index
};

// logits (B, T, V), targets (B, T) int64. The mean loss is sum / count; both stay on the device (no sync).
inline TokenNll token_nll(const torch::Tensor& logits, const torch::Tensor& targets,
                          int64_t ignore_index = -100) {
  const int64_t V = logits.size(-1);
  auto sum = torch::nn::functional::cross_entropy(
      logits.reshape({-1, V}).to(torch::kFloat), targets.reshape({-1}),
      torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum).ignore_index(ignore_index));
  return {sum, targets.ne(ignore_index).sum()};
}

}  // namespace ropelm
