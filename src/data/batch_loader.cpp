// Window ids → int64 tensors, one memcpy-like widening copy per window row.
#include "data/batch_loader.h"

#include <torch/torch.h>

namespace ropelm {

namespace {

SamplerOptions sampler_options(TokenView tokens, const LoaderOptions& options, const char* split_name) {
  options.windows.validate();
  require_windows(tokens.size(), options.windows, split_name);
  return {window_count(tokens.size(), options.windows),
          options.batch_size,
          options.shuffle,
          options.drop_last,
          options.seed,
          options.rank,
          options.world_size};
}

}  // namespace

BatchLoader::BatchLoader(TokenView tokens, const LoaderOptions& options, const char* split_name)
    : tokens_(tokens), shape_(options.windows), sampler_(sampler_options(tokens, options, split_name)) {}

StepBatches BatchLoader::next_step(int64_t grad_accum, bool pinned) {
  StepPlan plan = sampler_.next_step(grad_accum);
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
  const int64_t T = shape_.context_length;
  auto options = torch::TensorOptions().dtype(torch::kInt64).pinned_memory(pinned);
  Batch batch{torch::empty({rows, T}, options), torch::empty({rows, T}, options)};
  int64_t* inputs = batch.inputs.data_ptr<int64_t>();
  int64_t* targets = batch.targets.data_ptr<int64_t>();
  for (int64_t row = 0; row < rows; ++row) {
    int64_t start = window_start(windows[row], shape_);
    tokens_.copy_to(start, T, inputs + row * T);
    tokens_.copy_to(start + 1, T, targets + row * T);
  }
  return batch;
}

}  // namespace ropelm
