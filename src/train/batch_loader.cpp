// A step's window rows, written straight into (B, T) int64 tensors.
#include "train/batch_loader.h"

#include <torch/torch.h>

namespace ropelm {

StepBatches BatchLoader::next_step(int64_t grad_accum, bool pinned) {
  StepPlan plan = windows_.next_step(grad_accum);
  StepBatches step;
  step.micro_batches.reserve(plan.micro_batches.size());
  for (const std::vector<int64_t>& windows : plan.micro_batches)
    step.micro_batches.push_back(make_batch(windows, pinned));
  step.global_windows = plan.global_windows;
  step.epoch = plan.epoch;
  step.next = plan.next;
  return step;
}

Batch BatchLoader::make_batch(std::span<const int64_t> windows, bool pinned) const {
  const int64_t rows = static_cast<int64_t>(windows.size());
  auto options = torch::TensorOptions().dtype(torch::kInt64).pinned_memory(pinned);
  Batch batch{torch::empty({rows, windows_.context_length()}, options),
              torch::empty({rows, windows_.context_length()}, options)};
  windows_.copy_rows(windows, batch.inputs.data_ptr<int64_t>(), batch.targets.data_ptr<int64_t>());
  return batch;
}

}  // namespace ropelm
