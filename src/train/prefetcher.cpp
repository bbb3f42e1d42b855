// Background batch preparation with a bounded queue.
#include "train/prefetcher.h"

#include <torch/torch.h>

#include <algorithm>
#include <utility>

namespace ropelm {

Prefetcher::Prefetcher(StepSampler sampler, WindowRows rows, int64_t grad_accum, torch::Device device,
                       int depth)
    : sampler_(std::move(sampler)),
      rows_(rows),
      grad_accum_(grad_accum),
      device_(device),
      depth_(static_cast<size_t>(std::max(depth, 1))),
      thread_(&Prefetcher::run, this) {}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void Prefetcher::run() {
  const bool to_cuda = device_.is_cuda();
  try {
    while (true) {
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stopping_ || ready_.size() < depth_; });
        if (stopping_) return;
      }
      StepBatches step = make_step_batches(rows_, sampler_.next_step(grad_accum_), /*pinned=*/to_cuda);
      if (to_cuda) {
        for (Batch& batch : step.micro_batches) {
          batch = {batch.inputs.to(device_, /*non_blocking=*/true),
                   batch.targets.to(device_, /*non_blocking=*/true)};
        }
      }
      {
        std::lock_guard lock(mutex_);
        ready_.push_back(std::move(step));
      }
      changed_.notify_all();
    }
  } catch (...) {
    {
      std::lock_guard lock(mutex_);
      error_ = std::current_exception();
    }
    changed_.notify_all();
  }
}

StepBatches Prefetcher::next() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !ready_.empty() || error_; });
  // Steps prepared before a failure are still delivered in order; the error surfaces where it happened.
  if (ready_.empty()) std::rethrow_exception(error_);
  StepBatches step = std::move(ready_.front());
  ready_.pop_front();
  lock.unlock();
  changed_.notify_all();
  return step;
}

}  // namespace ropelm
