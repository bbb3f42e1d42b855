// Warmup + decay schedules (cosine as in SGDR/nanoGPT; wsd = warmup-stable-decay, Hu et al. 2024 "MiniCPM").
#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ropelm {

double lr_at(int64_t step, int64_t total_steps, const OptimConfig& optim) {
  const double peak = optim.lr, floor = optim.min_lr;
  if (step <= optim.warmup_steps)
    return peak * static_cast<double>(step) / static_cast<double>(optim.warmup_steps);
  const double decay_steps = static_cast<double>(std::max<int64_t>(1, total_steps - optim.warmup_steps));
  const double progress = std::clamp(static_cast<double>(step - optim.warmup_steps) / decay_steps, 0.0, 1.0);
  switch (optim.schedule) {
    case LrSchedule::kConstant:
      return peak;
    case LrSchedule::kLinear:
      return peak - (peak - floor) * progress;
    case LrSchedule::kWsd: {
      // Stable at the peak, then linear decay over the last wsd_decay_fraction of the post-warmup steps.
      const double decay_start = 1.0 - optim.wsd_decay_fraction;
      if (progress <= decay_start) return peak;
      return peak - (peak - floor) * (progress - decay_start) / optim.wsd_decay_fraction;
    }
    case LrSchedule::kCosine:
      break;
  }
  return floor + 0.5 * (1.0 + std::cos(std::numbers::pi * progress)) * (peak - floor);
}

}  // namespace ropelm
