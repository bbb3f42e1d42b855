// Picking the device (auto | cpu | cuda | cuda:N) and the CPU thread count from the config.
#pragma once

#include <torch/torch.h>

#include <string>

namespace ropelm {

// Throws UserError when CUDA is requested and none is available (or the index is out of range).
torch::Device select_device(const std::string& spec);

// Sets LibTorch's intra-op threads; 0 = all cores.
void set_cpu_threads(int64_t threads);

}  // namespace ropelm
