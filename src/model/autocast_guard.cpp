// The autocast switch of each supported LibTorch behind one guard (util/libtorch_features.h says which calls
// exist where).
#include "model/autocast_guard.h"

#include <ATen/autocast_mode.h>

#include "util/libtorch_features.h"

namespace ropelm {
namespace {

bool is_enabled(c10::DeviceType type) {
#if ROPELM_HAS_DEVICE_GENERIC_AUTOCAST
  return at::autocast::is_autocast_enabled(type);
#else
  return type == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

void set_enabled(c10::DeviceType type, bool enabled) {
#if ROPELM_HAS_DEVICE_GENERIC_AUTOCAST
  at::autocast::set_autocast_enabled(type, enabled);
#else
  type == c10::DeviceType::CUDA ? at::autocast::set_enabled(enabled) : at::autocast::set_cpu_enabled(enabled);
#endif
}

at::ScalarType get_dtype(c10::DeviceType type) {
#if ROPELM_HAS_DEVICE_GENERIC_AUTOCAST
  return at::autocast::get_autocast_dtype(type);
#else
  return type == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype()
                                       : at::autocast::get_autocast_cpu_dtype();
#endif
}

void set_dtype(c10::DeviceType type, at::ScalarType dtype) {
#if ROPELM_HAS_DEVICE_GENERIC_AUTOCAST
  at::autocast::set_autocast_dtype(type, dtype);
#else
  type == c10::DeviceType::CUDA ? at::autocast::set_autocast_gpu_dtype(dtype)
                                : at::autocast::set_autocast_cpu_dtype(dtype);
#endif
}

}  // namespace

AutocastGuard::AutocastGuard(torch::Device device, bool enabled) : device_type_(device.type()) {
  if (!enabled) return;
  active_ = true;
  previous_enabled_ = is_enabled(device_type_);
  previous_dtype_ = get_dtype(device_type_);
  set_enabled(device_type_, true);
  set_dtype(device_type_, at::kBFloat16);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  // The outermost guard drops the cached bf16 copies of the weights, as torch.autocast's __exit__ does.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_enabled(device_type_, previous_enabled_);
  set_dtype(device_type_, previous_dtype_);
}

bool autocast_enabled(torch::Device device) {
  return is_enabled(device.type());
}

}  // namespace ropelm
