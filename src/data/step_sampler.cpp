// Global-step sampling: permutation slices dealt to micro-batches and ranks, with a resumable cursor.
#include "data/step_sampler.h"

#include <algorithm>
#include <string>

#include "data/permutation.h"
#include "util/error.h"

namespace ropelm {

void SamplerOptions::validate() const {
  if (batch_size < 1)
    throw UserError("data.batch_size must be at least 1 (got " + std::to_string(batch_size) + ")");
  if (world_size < 1 || rank < 0 || rank >= world_size) {
    throw UserError("rank " + std::to_string(rank) + " is outside world_size " + std::to_string(world_size));
  }
}

StepSampler::StepSampler(int64_t num_windows, const SamplerOptions& options)
    : num_windows_(num_windows), options_(options) {
  options_.validate();
  if (num_windows_ < 1) throw UserError("the loader has no windows to draw batches from");
}

std::vector<int64_t> step_slot_sizes(int64_t n, int64_t grad_accum, int64_t world_size) {
  std::vector<int64_t> sizes(static_cast<size_t>(grad_accum * world_size));
  for (int64_t m = 0; m < grad_accum; ++m) {
    int64_t micro = n / grad_accum + (m < n % grad_accum ? 1 : 0);
    for (int64_t r = 0; r < world_size; ++r) {
      sizes[m * world_size + r] = micro / world_size + (r < micro % world_size ? 1 : 0);
    }
  }
  return sizes;
}

StepPlan StepSampler::next_step(int64_t grad_accum) {
  if (grad_accum < 1)
    throw UserError("train.grad_accum must be at least 1 (got " + std::to_string(grad_accum) + ")");
  const int64_t global = options_.batch_size * options_.world_size * grad_accum;
  const int64_t total = num_windows_;
  if (options_.drop_last && total < global) {
    throw UserError("the split has " + std::to_string(total) + " windows, fewer than one step's " +
                    std::to_string(global) +
                    " (batch_size × world_size × grad_accum) and data.drop_last is on: " +
                    "lower data.batch_size or set data.drop_last = false");
  }
  int64_t left = total - cursor_.position;
  if (left <= 0 || (options_.drop_last && left < global)) {
    cursor_ = {cursor_.epoch + 1, 0};
    left = total;
  }
  const int64_t n = std::min(global, left);
  const std::vector<int64_t> sizes = step_slot_sizes(n, grad_accum, options_.world_size);

  StepPlan plan;
  plan.global_windows = n;
  plan.epoch = cursor_.epoch;
  plan.micro_batches.resize(static_cast<size_t>(grad_accum));
  int64_t offset = cursor_.position;
  for (int64_t m = 0; m < grad_accum; ++m) {
    for (int64_t r = 0; r < options_.world_size; ++r) {
      int64_t size = sizes[m * options_.world_size + r];
      if (r == options_.rank) {
        for (int64_t i = 0; i < size; ++i)
          plan.micro_batches[m].push_back(window_at(cursor_.epoch, offset + i));
      }
      offset += size;
    }
  }
  cursor_.position += n;
  plan.next = cursor_;
  return plan;
}

void StepSampler::restore(const LoaderCursor& cursor) {
  if (cursor.epoch < 0 || cursor.position < 0 || cursor.position > num_windows_) {
    throw UserError("the saved data cursor (epoch " + std::to_string(cursor.epoch) + ", position " +
                    std::to_string(cursor.position) + ") does not fit this split of " +
                    std::to_string(num_windows_) + " windows: the data or the windowing changed");
  }
  cursor_ = cursor;
}

int64_t StepSampler::steps_per_epoch(int64_t grad_accum) const {
  const int64_t global = options_.batch_size * options_.world_size * grad_accum;
  if (options_.drop_last) return num_windows_ / global;
  return (num_windows_ + global - 1) / global;
}

int64_t StepSampler::window_at(int64_t epoch, int64_t position) {
  if (!options_.shuffle) return position;
  if (order_epoch_ != epoch) {
    order_ = epoch_permutation(num_windows_, options_.seed, epoch);
    order_epoch_ = epoch;
  }
  return order_[static_cast<size_t>(position)];
}

}  // namespace ropelm
