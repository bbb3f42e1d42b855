// Softmax cross-entropy over bf16 logits on the CPU in one sweep per row: fp32 statistics, bf16 gradient.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace ropelm {

struct RowCrossEntropy {
  at::Tensor nll;       // (N) fp32: log-sum-exp − logit of the target; 0 where the target is ignored
  at::Tensor gradient;  // (N, V) bf16: softmax − one-hot, zero rows where ignored; undefined unless asked for
};

// logits (N, V) bf16 on the CPU, targets (N) int64 (ignore_index: not counted). Each row is read from memory
// once: its maximum, then its exponentials (kept in an fp32 row buffer) and their fp32 sum, then the
// normalised probabilities written as bf16. LibTorch's bf16 path (amax, softmax, amax of the probabilities)
// reads the (N, V) logits four times and writes them once: for configs/bench-tiny.toml (2048 × 30522) on
// the development VM's 2 cores (AMD EPYC, load 1.9) 34 ms a step against this kernel's 12 ms, and the bf16
// training step 308 → 291 ms (scripts/bench_train.sh-style alternating runs: 6,810 → 7,370 tokens/s).
RowCrossEntropy cross_entropy_bf16_cpu(const at::Tensor& logits, const at::Tensor& targets,
                                       int64_t ignore_index, bool with_gradient);

}  // namespace ropelm
