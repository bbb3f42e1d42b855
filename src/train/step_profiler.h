// LibTorch's profiler over a range of training steps, to see where a step's time goes: with
// ROPELM_PROFILE=FILE in the environment, steps FIRST..LAST (ROPELM_PROFILE_STEPS=FIRST-LAST, default 6-10:
// after the first steps' allocations and oneDNN's kernel generation) are recorded as a Chrome trace into
// FILE, written when the last one ends. scripts/profile_step.sh runs it and sums the trace per operator.
#pragma once

#include <cstdint>
#include <string>

namespace ropelm {

class StepProfiler {
 public:
  // Reads the environment (when `enabled`: rank 0 of a distributed run); throws UserError for a malformed
  // ROPELM_PROFILE_STEPS.
  explicit StepProfiler(bool enabled = true);
  ~StepProfiler();
  StepProfiler(const StepProfiler&) = delete;
  StepProfiler& operator=(const StepProfiler&) = delete;

  // Around each training step: `step` is the 1-based number of the step that is about to run / just ran.
  void before_step(int64_t step);
  void after_step(int64_t step);

 private:
  std::string file_;
  int64_t first_ = 6, last_ = 10;
  bool recording_ = false;
};

}  // namespace ropelm
