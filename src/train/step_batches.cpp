// A step's window rows, written straight into (B, T) int64 tensors.
#include "train/step_batches.h"

#include <torch/torch.h>

namespace ropelm {

Batch make_batch(const WindowRows& rows, std::span<const int64_t> windows, bool pinned) {
  const int64_t B = static_cast<int64_t>(windows.size()), T = rows.context_length();
  auto options = torch::TensorOptions().dtype(torch::kInt64).pinned_memory(pinned);
  Batch batch{torch::empty({B, T}, options), torch::empty({B, T}, options)};
  rows.copy_rows(windows, batch.inputs.data_ptr<int64_t>(), batch.targets.data_ptr<int64_t>());
  return batch;
}

StepBatches make_step_batches(const WindowRows& rows, const StepPlan& plan, bool pinned) {
  StepBatches step;
  step.micro_batches.reserve(plan.micro_batches.size());
  for (const std::vector<int64_t>& windows : plan.micro_batches)
    step.micro_batches.push_back(make_batch(rows, windows, pinned));
  step.global_windows = plan.global_windows;
  step.epoch = plan.epoch;
  step.next = plan.next;
  return step;
}

}  // namespace ropelm
