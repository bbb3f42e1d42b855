// What the LibTorch this build compiles against offers. Every API that only some supported LibTorch versions
// have (Debian's 1.13 and PyPI's 2.x) is guarded by one named predicate from here, never by a version test at
// the call site.
#pragma once

#include <torch/version.h>

#define ROPELM_LIBTORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

// at::scaled_dot_product_attention (fused attention kernels): LibTorch 2.0.
#define ROPELM_HAS_SDPA ROPELM_LIBTORCH_AT_LEAST(2, 0)

// Device-generic autocast (at::autocast::set_autocast_enabled(DeviceType, bool) and friends): LibTorch 2.4.
// Before it, CUDA and CPU autocast have their own calls (set_enabled, set_cpu_enabled).
#define ROPELM_HAS_DEVICE_GENERIC_AUTOCAST ROPELM_LIBTORCH_AT_LEAST(2, 4)

// c10d's collectives live in a per-device c10d::Backend under the user-facing ProcessGroup: LibTorch 2.0.
// In 1.13 ProcessGroupGloo/NCCL are ProcessGroups themselves.
#define ROPELM_HAS_C10D_BACKEND ROPELM_LIBTORCH_AT_LEAST(2, 0)

// c10::Allocator's newer interface: allocate() is not const and copy_data() must be defined: LibTorch 2.3.
#define ROPELM_HAS_ALLOCATOR_COPY_DATA ROPELM_LIBTORCH_AT_LEAST(2, 3)

namespace ropelm {

constexpr bool kHasSdpa = ROPELM_HAS_SDPA;

}  // namespace ropelm
