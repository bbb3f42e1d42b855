// A step's windows as int64 (B, T) input/target tensors, in the micro-batches a StepSampler deals them.
#pragma once

#include <torch/types.h>

#include <span>
#include <vector>

#include "data/loader_cursor.h"
#include "data/step_sampler.h"
#include "data/window_rows.h"

namespace ropelm {

struct Batch {
  torch::Tensor inputs;   // (B, T) int64
  torch::Tensor targets;  // (B, T) int64: inputs shifted left by one token
};

// One optimizer step's data for this rank.
struct StepBatches {
  std::vector<Batch> micro_batches;  // grad_accum of them; B may be smaller (even 0) in a ragged last step
  int64_t global_windows = 0;        // over all ranks and micro-batches: weight losses by B / global_windows
  int64_t epoch = 0;
  LoaderCursor next;  // the cursor once this step is consumed: store it with the checkpoint taken after it
};

// The (B, T) tensors of the given windows. With pinned, they live in page-locked memory for asynchronous
// copies to CUDA.
Batch make_batch(const WindowRows& rows, std::span<const int64_t> windows, bool pinned = false);

// Every micro-batch of a step's plan as tensors.
StepBatches make_step_batches(const WindowRows& rows, const StepPlan& plan, bool pinned = false);

}  // namespace ropelm
