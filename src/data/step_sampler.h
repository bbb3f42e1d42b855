// Which windows each rank trains on at each optimizer step: the resumable loader's one owner of its state
// (the cursor and the epoch's permutation). WindowRows reads the chosen windows' tokens, the trainer's
// Prefetcher turns them into tensors; neither keeps a cursor of its own.
#pragma once

#include <cstdint>
#include <vector>

#include "data/loader_cursor.h"

namespace ropelm {

struct SamplerOptions {
  int64_t batch_size = 0;  // windows per micro-batch per rank
  bool shuffle = true;
  bool drop_last = true;  // drop an epoch's final step when it is smaller than a full global step
  uint64_t seed = 0;
  int64_t rank = 0;
  int64_t world_size = 1;

  // Throws UserError naming the field (data.batch_size, rank/world_size).
  void validate() const;
};

// One optimizer step, seen from one rank.
struct StepPlan {
  // grad_accum micro-batches of window ids for this rank; in a ragged last step some may be empty.
  std::vector<std::vector<int64_t>> micro_batches;
  // Windows consumed by all ranks together: weight micro-batch losses by size / global_windows for a true
  // mean.
  int64_t global_windows = 0;
  int64_t epoch = 0;
  // The cursor after this step: what a checkpoint taken after this step's update stores.
  LoaderCursor next;
};

// A global step takes G = batch_size × world_size × grad_accum consecutive windows of the epoch's
// permutation, exactly as one process with batch G would; they are dealt micro-batch-major, then rank:
// micro-batch m of rank r is slot m·world_size + r. So a rank's batches are a pure function of (seed, epoch,
// cursor, rank, world_size, grad_accum), and world_size 1 with grad_accum k yields the same micro-batches as
// k plain steps.
class StepSampler {
 public:
  // Draws from windows 0 .. num_windows - 1 of a split; throws UserError for bad options or no windows.
  StepSampler(int64_t num_windows, const SamplerOptions& options);

  // The next step's plan; advances the cursor by global_windows, starting the next epoch when this one is
  // spent (or, with drop_last, when less than a full step is left). Throws UserError if no full step ever
  // fits.
  StepPlan next_step(int64_t grad_accum = 1);

  const LoaderCursor& cursor() const { return cursor_; }
  // Resumes from a saved cursor; throws UserError when it does not fit this split (the data changed).
  void restore(const LoaderCursor& cursor);

  // Steps in a whole epoch (from position 0).
  int64_t steps_per_epoch(int64_t grad_accum = 1) const;

 private:
  int64_t window_at(int64_t epoch, int64_t position);

  int64_t num_windows_;
  SamplerOptions options_;
  LoaderCursor cursor_;
  int64_t order_epoch_ = -1;  // the epoch whose permutation order_ holds
  std::vector<uint32_t> order_;
};

// How n windows are dealt to the grad_accum × world_size slots, indexed m·world_size + r: as evenly as
// possible over micro-batches, then within each over ranks (earlier slots get the extra one). A full step
// gives every slot batch_size; a ragged last step (drop_last = false) may leave a rank 0 windows in a
// micro-batch.
std::vector<int64_t> step_slot_sizes(int64_t n, int64_t grad_accum, int64_t world_size);

}  // namespace ropelm
