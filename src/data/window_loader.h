// The resumable sliding-window loader without tensors: which windows each step trains on (StepSampler) and
// their int64 input/target rows. train/batch_loader.h puts the rows into tensors.
#pragma once

#include <cstdint>
#include <span>

#include "data/loader_cursor.h"
#include "data/sliding_windows.h"
#include "data/step_sampler.h"
#include "data/token_view.h"

namespace ropelm {

struct LoaderOptions {
  WindowShape windows;
  int64_t batch_size = 0;  // windows per micro-batch per rank
  bool shuffle = true;
  bool drop_last = true;
  uint64_t seed = 0;
  int64_t rank = 0;
  int64_t world_size = 1;
};

class WindowLoader {
 public:
  // Throws UserError for bad options or a split too short for one window (saying how many tokens it needs).
  // `split_name` ("train", "val") appears in those messages. tokens must outlive the loader.
  WindowLoader(TokenView tokens, const LoaderOptions& options, const char* split_name = "train");

  // The window ids of this rank's grad_accum micro-batches; the cursor advances by the global step.
  StepPlan next_step(int64_t grad_accum = 1) { return sampler_.next_step(grad_accum); }

  // Writes the windows' input rows and target rows (the inputs shifted left by one token), each
  // (windows.size(), context_length) row-major.
  void copy_rows(std::span<const int64_t> windows, int64_t* inputs, int64_t* targets) const;

  const LoaderCursor& cursor() const { return sampler_.cursor(); }
  void restore(const LoaderCursor& cursor) { sampler_.restore(cursor); }
  int64_t num_windows() const { return sampler_.num_windows(); }
  int64_t steps_per_epoch(int64_t grad_accum = 1) const { return sampler_.steps_per_epoch(grad_accum); }
  int64_t context_length() const { return shape_.context_length; }

 private:
  TokenView tokens_;
  WindowShape shape_;
  StepSampler sampler_;
};

}  // namespace ropelm
