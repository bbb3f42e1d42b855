// Mixed precision for a scope: while an AutocastGuard lives, LibTorch's autocast runs the matrix products on
// `device` in bf16 (fp32 master weights stay as they are); its destructor restores the previous state, so an
// exception in the forward pass cannot leave autocast on.
#pragma once

#include <torch/torch.h>

namespace ropelm {

class AutocastGuard {
 public:
  // enabled = false: a no-op guard, so callers need no branch of their own.
  AutocastGuard(torch::Device device, bool enabled);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType device_type_ = c10::DeviceType::CPU;
  bool previous_enabled_ = false;
  at::ScalarType previous_dtype_ = at::kFloat;
};

// Whether autocast is on for the device's type now (for tests and checks).
bool autocast_enabled(torch::Device device);

}  // namespace ropelm
