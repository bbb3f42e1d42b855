// Next-token loss as a sum plus a count, so batches and ranks can be weighted per token.
#pragma once

#include <torch/torch.h>

namespace ropelm {

struct TokenNll {
  torch::Tensor sum;    // 0-dim fp32: summed negative log-likelihood (nats) of the counted tokens
  torch::Tensor count;  // 0-dim int64: targets not equal to ignore_index
};

// logits (B, T, V) fp32 or bf16 (mixed precision: the statistics are fp32 either way, the gradient bf16; on
// the CPU through model/kernels/cross_entropy_cpu.h), targets (B, T) int64. The mean loss is sum / count;
// both stay on the device (no sync). When logits need a gradient, it is computed here, during the forward
// pass, into the one (B·T, V) buffer that the log-softmax needs anyway; that buffer is scaled in place by the
// backward pass, so backward may run once (a second backward through the same graph raises autograd's
// in-place modification error).
TokenNll token_nll(const torch::Tensor& logits, const torch::Tensor& targets, int64_t ignore_index = -100);

}  // namespace ropelm
