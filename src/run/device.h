// Picking the device (auto | cpu | cuda | cuda:N) and the CPU thread count from the config.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>

namespace ropelm {

// Throws UserError when CUDA is requested and none is available (or the index is out of range).
torch::Device select_device(const std::string& spec);

// The name the CUDA driver gives the device with this ordinal, e.g. "NVIDIA H100 80GB HBM3"; "" when there is
// no CUDA driver. Read through the driver's C API (libcuda.so.1, dlopen'd), so CPU builds compile it too.
std::string cuda_device_name(int ordinal);
// The compute capability (major, minor) of that device, e.g. (8, 0) for an A100; (0, 0) without a driver.
std::pair<int, int> cuda_compute_capability(int ordinal);

// Sets LibTorch's intra-op threads; 0 = default_cpu_threads().
void set_cpu_threads(int64_t threads);
// All cores, shared evenly among the ranks on this machine (LOCAL_WORLD_SIZE, set by torchrun and --nproc).
int64_t default_cpu_threads();

}  // namespace ropelm
