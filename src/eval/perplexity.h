// Strided sliding-window perplexity: every token after the first is scored exactly once, from up to
// context_length preceding tokens (the method of HF's "Perplexity of fixed-length models" guide).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "data/token_view.h"
#include "model/transformer.h"

namespace ropelm {

struct PerplexityOptions {
  int64_t context_length = 0;
  int64_t stride = 0;  // 1 ≤ stride ≤ context_length; = context_length gives non-overlapping blocks
  int64_t batch_size = 1;
  int64_t max_windows = 0;  // 0: all; else only the first max_windows (quick validation during training)
  int64_t rank = 0;         // windows are dealt round-robin over ranks; the caller all-reduces the sums
  int64_t world_size = 1;
  bool bf16 = false;  // bf16 mixed precision (autocast): bf16 matrix products, fp32 loss
  // Throws UserError naming eval.context_length / eval.stride / eval.batch_size when out of range.
  void validate() const;
};

// One window: it feeds tokens [begin, begin + length) and scores the targets at positions ≥ first_scored
// (positions of the token stream; position p is predicted from the tokens before it).
struct EvalWindow {
  int64_t begin = 0;
  int64_t length = 0;
  int64_t first_scored = 0;
};

// The windows that score positions 1 … num_tokens − 1 exactly once, the last one possibly shorter.
std::vector<EvalWindow> eval_windows(int64_t num_tokens, int64_t context_length, int64_t stride);

struct NllSum {
  double nll = 0;      // summed negative log-likelihood, nats
  int64_t tokens = 0;  // tokens scored
};

// Scores this rank's share of the windows (no_grad, eval mode; restores train mode after).
NllSum score_tokens(Transformer& model, const TokenView& tokens, const PerplexityOptions& options,
                    torch::Device device);

}  // namespace ropelm
