// Summed cross-entropy whose gradient (softmax − one-hot) is made in the forward pass, in one buffer.
#include "model/lm_loss.h"

#include "model/kernels/cross_entropy_cpu.h"

namespace ropelm {
namespace {

// Per row of logits (N, V): log-sum-exp (N, 1) in fp32, and the softmax itself (N, V) in the logits' dtype.
// The softmax kernel accumulates in fp32 whatever its input (also bf16, rounding only its output); its
// largest entry is exp(row_max − lse), and being ≥ 1/V it never underflows, so log-sum-exp needs no second
// exponential pass. With bf16 logits the bf16-rounded largest probability puts lse within 2^-9 nats, less
// than the rounding of the bf16 logits themselves.
std::pair<torch::Tensor, torch::Tensor> lse_and_softmax(const torch::Tensor& logits) {
  auto row_max = logits.amax(1, /*keepdim=*/true).to(torch::kFloat);  // (N, 1)
  auto probs = torch::softmax(logits, -1);                            // (N, V)
  auto lse = row_max - probs.amax(1, /*keepdim=*/true).to(torch::kFloat).log_();
  return {lse, probs};
}

// Each row's target as a gather index: `ignored` (N, 1) marks the rows whose target is ignore_index, `picked`
// (N, 1) is the target's column (0 for ignored rows, which are masked out of every sum).
struct TargetColumns {
  torch::Tensor ignored;
  torch::Tensor picked;
};
TargetColumns target_columns(const torch::Tensor& targets, int64_t ignore_index) {
  auto ignored = targets.eq(ignore_index).unsqueeze(1);
  return {ignored, targets.unsqueeze(1).masked_fill(ignored, 0)};
}

// Σ −log p(target) = Σ (lse − logit of the target) over the counted rows, in fp32.
torch::Tensor summed_nll(const torch::Tensor& logits, const torch::Tensor& lse,
                         const TargetColumns& columns) {
  return (lse - logits.gather(1, columns.picked).to(torch::kFloat)).masked_fill_(columns.ignored, 0).sum();
}

// Autograd's log_softmax + nll_loss allocates three (N, V) buffers per step (log-probabilities, nll_loss's
// zero-filled one-hot gradient, log_softmax's input gradient) and takes two exponentials per logit; for the
// a d128 model at batch 16 × context 64 with bert's vocabulary, N·V is 1024 × 30522 floats (125 MB), more
// work than its transformer blocks. Here one softmax (one exponential per logit) is both the loss's source
// and, minus one at the targets, the gradient; backward scales it in place. That model, 2 cores: step 440 →
// 350 ms with glibc's allocator, 277 → 262 ms with the CPU block cache (run/cpu_block_cache.h), loss and
// gradient within fp32 rounding of autograd's. bf16 logits (mixed precision) keep a bf16 buffer: the
// gradient goes to the LM head's bf16 matrix products as it is, without a cast of (N, V) either way.
class SummedCrossEntropy : public torch::autograd::Function<SummedCrossEntropy> {
 public:
  // logits (N, V) fp32 or bf16, targets (N) int64 → 0-dim fp32 sum of −log p(target) over counted rows.
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& logits,
                               const torch::Tensor& targets, int64_t ignore_index) {
    TargetColumns columns = target_columns(targets, ignore_index);
    auto counted = columns.ignored.logical_not().to(torch::kFloat);     // (N, 1)
    if (logits.is_cpu() && logits.scalar_type() == torch::kBFloat16) {  // one sweep per row, bf16 gradient
      RowCrossEntropy rows = cross_entropy_bf16_cpu(logits, targets, ignore_index, /*with_gradient=*/true);
      ctx->save_for_backward({rows.gradient, counted});
      return rows.nll.sum();
    }
    auto [lse, probs] = lse_and_softmax(logits);
    auto sum = summed_nll(logits, lse, columns);
    probs.scatter_add_(1, columns.picked,
                       torch::full(columns.picked.sizes(), -1.0, probs.options()));  // p − one-hot
    ctx->save_for_backward({probs, counted});
    return sum;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    // In place: nothing else holds the buffer, and the bump of its version makes a second backward through
    // the same graph fail instead of reading a scaled buffer. Ignored rows are scaled by 0. A bf16 buffer
    // gets its row scales in bf16: LibTorch's bf16 × fp32 broadcast product takes a slow path (250 ms instead
    // of 16 for 2048 × 30522 here), and the scale's rounding (a factor within 2^-9 of 1, the same for every
    // row) is one that Adam's normalisation cancels.
    auto row_scale = (saved[1] * grad_outputs[0]).to(saved[0].scalar_type());  // (N, 1)
    auto grad = saved[0].mul_(row_scale);                                      // (N, V) × (N, 1)
    return {grad, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

TokenNll token_nll(const torch::Tensor& logits, const torch::Tensor& targets, int64_t ignore_index) {
  const int64_t V = logits.size(-1);
  auto flat_logits = logits.reshape({-1, V});
  // bf16 logits stay bf16 (the statistics are fp32 all the same); anything else is computed in fp32.
  const bool bf16 = flat_logits.scalar_type() == torch::kBFloat16;
  if (!bf16) flat_logits = flat_logits.to(torch::kFloat);  // no copy when already fp32
  auto flat_targets = targets.reshape({-1});
  torch::Tensor sum;
  if (torch::GradMode::is_enabled() && flat_logits.requires_grad()) {
    sum = SummedCrossEntropy::apply(flat_logits, flat_targets, ignore_index);
  } else if (bf16 && flat_logits.is_cpu()) {  // evaluation in bf16: the training step's sweep, no gradient
    sum = cross_entropy_bf16_cpu(flat_logits, flat_targets, ignore_index, /*with_gradient=*/false).nll.sum();
  } else if (bf16) {  // evaluation in bf16 on CUDA: the training step's arithmetic, without the gradient
    sum = summed_nll(flat_logits, lse_and_softmax(flat_logits).first,
                     target_columns(flat_targets, ignore_index));
  } else {  // evaluation: no gradient buffer to share, and log_softmax needs no extra pass for the loss
    sum = torch::nn::functional::cross_entropy(
        flat_logits, flat_targets,
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum).ignore_index(ignore_index));
  }
  return {sum, targets.ne(ignore_index).sum()};
}

}  // namespace ropelm
