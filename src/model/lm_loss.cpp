// Summed cross-entropy whose gradient (softmax − one-hot) is made in the forward pass, in one buffer.
#include "model/lm_loss.h"

namespace ropelm {
namespace {

// Autograd's log_softmax + nll_loss allocates three (N, V) buffers per step (log-probabilities, nll_loss's
// zero-filled one-hot gradient, log_softmax's input gradient) and takes two exponentials per logit; for the
// a d128 model at batch 16 × context 64 with bert's vocabulary, N·V is 1024 × 30522 floats (125 MB), more
// work than its transformer blocks. Here one softmax (one exponential per logit) is both the loss's source
// and, minus one at the targets, the gradient; backward scales it in place. That model, 2 cores: step 440 →
// 350 ms with glibc's allocator, 277 → 262 ms with the CPU block cache (train/cpu_block_cache.h), loss and
// gradient within fp32 rounding of autograd's.
class SummedCrossEntropy : public torch::autograd::Function<SummedCrossEntropy> {
 public:
  // logits (N, V) fp32, targets (N) int64 → 0-dim sum of −log p(target) over rows whose target is counted.
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& logits,
                               const torch::Tensor& targets, int64_t ignore_index) {
    auto ignored = targets.eq(ignore_index).unsqueeze(1);        // (N, 1)
    auto picked = targets.unsqueeze(1).masked_fill(ignored, 0);  // (N, 1): ignored rows read column 0
    auto row_max = logits.amax(1, /*keepdim=*/true);             // (N, 1)
    auto probs = torch::softmax(logits, -1);                     // (N, V)
    // log-sum-exp without a second exponential pass: softmax's largest entry is exp(row_max − lse), and being
    // ≥ 1/V it never underflows, so its log is exact to fp32 rounding.
    auto lse = row_max - probs.amax(1, /*keepdim=*/true).log_();  // (N, 1)
    auto sum = (lse - logits.gather(1, picked)).masked_fill_(ignored, 0).sum();
    probs.scatter_add_(1, picked, torch::full(picked.sizes(), -1.0, probs.options()));  // p − one-hot
    ctx->save_for_backward({probs, ignored.logical_not().to(probs.scalar_type())});
    return sum;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    // In place: nothing else holds the buffer, and the bump of its version makes a second backward through
    // the same graph fail instead of reading a scaled buffer. Ignored rows are scaled by 0.
    auto grad = saved[0].mul_(saved[1] * grad_outputs[0]);  // (N, V) × (N, 1)
    return {grad, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

TokenNll token_nll(const torch::Tensor& logits, const torch::Tensor& targets, int64_t ignore_index) {
  const int64_t V = logits.size(-1);
  auto flat_logits = logits.reshape({-1, V}).to(torch::kFloat);  // no copy when already fp32
  auto flat_targets = targets.reshape({-1});
  torch::Tensor sum;
  if (torch::GradMode::is_enabled() && flat_logits.requires_grad()) {
    sum = SummedCrossEntropy::apply(flat_logits, flat_targets, ignore_index);
  } else {  // evaluation: no gradient buffer to share, and log_softmax needs no extra pass for the loss
    sum = torch::nn::functional::cross_entropy(
        flat_logits, flat_targets,
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum).ignore_index(ignore_index));
  }
  return {sum, targets.ne(ignore_index).sum()};
}

}  // namespace ropelm
