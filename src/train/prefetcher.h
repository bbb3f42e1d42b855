// Prepares the next steps' batches on a background thread (and copies them to the device) while the model
// trains.
#pragma once

#include <torch/types.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "data/step_sampler.h"
#include "data/window_rows.h"
#include "train/step_batches.h"

namespace ropelm {

// Deterministic: the thread draws from the sampler exactly as the trainer would, in order, so next() returns
// the same steps as sampler.next_step(grad_accum) made into batches directly. Memory: `depth` steps of
// batches. Where the data stands is each step's own `next` cursor: the sampler inside runs up to `depth`
// steps ahead and is never read from outside.
class Prefetcher {
 public:
  // Takes over the sampler (restore its cursor first); `rows` must outlive the prefetcher's tokens. On CUDA,
  // batches are built in pinned memory and copied with non_blocking; the copies run on the device's current
  // stream, so later kernels on that stream see them.
  Prefetcher(StepSampler sampler, WindowRows rows, int64_t grad_accum, torch::Device device, int depth = 2);
  // Stops and joins the thread (also while it waits on a full queue or prepares a step).
  ~Prefetcher();
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // The next step; rethrows an exception the background thread hit (e.g. a UserError from the sampler).
  StepBatches next();

 private:
  void run();

  StepSampler sampler_;
  const WindowRows rows_;
  const int64_t grad_accum_;
  const torch::Device device_;
  const size_t depth_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<StepBatches> ready_;
  std::exception_ptr error_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after every member it uses exists
};

}  // namespace ropelm
