// Batches of sliding windows as int64 (B, T) input/target tensors, in the order a StepSampler deals them.
#pragma once

#include <torch/types.h>

#include <span>
#include <vector>

#include "data/window_loader.h"

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

class BatchLoader {
 public:
  // Throws UserError for bad options or a split too short for one window (saying how many tokens it needs).
  // `split_name` ("train", "val") appears in those messages. tokens must outlive the loader.
  BatchLoader(TokenView tokens, const LoaderOptions& options, const char* split_name = "train")
      : windows_(tokens, options, split_name) {}

  // grad_accum micro-batches for this rank; the cursor advances by the global step (all ranks). With pinned,
  // tensors live in page-locked memory for asynchronous copies to CUDA.
  StepBatches next_step(int64_t grad_accum = 1, bool pinned = false);

  const LoaderCursor& cursor() const { return windows_.cursor(); }
  void restore(const LoaderCursor& cursor) { windows_.restore(cursor); }
  int64_t num_windows() const { return windows_.num_windows(); }
  int64_t steps_per_epoch(int64_t grad_accum = 1) const { return windows_.steps_per_epoch(grad_accum); }

  // The (B, T) tensors of the given windows.
  Batch make_batch(std::span<const int64_t> windows, bool pinned = false) const;

 private:
  WindowLoader windows_;
};

}  // namespace ropelm
