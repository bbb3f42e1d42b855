// Prepares the next steps' batches on a background thread (and copies them to the device) while the model
// trains.
#pragma once

#include <torch/types.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "train/batch_loader.h"

namespace ropelm {

// Deterministic: the thread calls the loader exactly as the trainer would, in order, so next() returns the
// same steps as calling loader.next_step(grad_accum) directly. Memory: `depth` steps of batches.
class Prefetcher {
 public:
  // Takes over the loader (restore its cursor first). On CUDA, batches are built in pinned memory and copied
  // with non_blocking; the copies run on the device's current stream, so later kernels on that stream see
  // them.
  Prefetcher(BatchLoader loader, int64_t grad_accum, torch::Device device, int depth = 2);
  // Stops and joins the thread (also while it waits on a full queue or prepares a step).
  ~Prefetcher();
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // The next step; rethrows an exception the background thread hit (e.g. a UserError from the sampler).
  StepBatches next();
  // The cursor after the last step next() returned (the loader's cursor before the first): what a checkpoint
  // stores. The thread's own loader is ahead by up to `depth` steps and is not what to save.
  LoaderCursor cursor() const;

 private:
  void run();

  BatchLoader loader_;
  const int64_t grad_accum_;
  const torch::Device device_;
  const size_t depth_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<StepBatches> ready_;
  std::exception_ptr error_;
  bool stopping_ = false;
  LoaderCursor consumed_;
  std::thread thread_;  // last: starts after every member it uses exists
};

}  // namespace ropelm
