// Device and thread selection.
#include "run/device.h"

#include <dlfcn.h>

#include <cstdlib>
#include <thread>

#include "util/error.h"

namespace ropelm {

torch::Device select_device(const std::string& spec) {
  const bool has_cuda = torch::cuda::is_available();
  if (spec == "auto") return has_cuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  if (spec == "cpu") return torch::kCPU;
  if (!has_cuda) {
    throw UserError(
        "train.device = '" + spec +
        "' but this LibTorch sees no CUDA device: use --device cpu, or build against a CUDA LibTorch");
  }
  if (spec == "cuda") return {torch::kCUDA, 0};
  int64_t index = -1;
  try {
    index = std::stoll(spec.substr(5));
  } catch (const std::exception&) {
  }
  if (index < 0 || index >= static_cast<int64_t>(torch::cuda::device_count())) {
    throw UserError("train.device = '" + spec + "': there are " +
                    std::to_string(torch::cuda::device_count()) + " CUDA devices");
  }
  return {torch::kCUDA, static_cast<c10::DeviceIndex>(index)};
}

std::string cuda_device_name(int ordinal) {
  void* driver = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (driver == nullptr) return "";
  // CUresult cuInit(unsigned), cuDeviceGet(CUdevice*, int), cuDeviceGetName(char*, int, CUdevice); 0 =
  // success.
  auto init = reinterpret_cast<int (*)(unsigned)>(::dlsym(driver, "cuInit"));
  auto get = reinterpret_cast<int (*)(int*, int)>(::dlsym(driver, "cuDeviceGet"));
  auto get_name = reinterpret_cast<int (*)(char*, int, int)>(::dlsym(driver, "cuDeviceGetName"));
  char name[256] = {};
  int device = 0;
  bool ok = init && get && get_name && init(0) == 0 && get(&device, ordinal) == 0 &&
            get_name(name, sizeof name, device) == 0;
  ::dlclose(driver);
  return ok ? name : "";
}

std::pair<int, int> cuda_compute_capability(int ordinal) {
  void* driver = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (driver == nullptr) return {0, 0};
  // CUresult cuDeviceGetAttribute(int*, CUdevice_attribute, CUdevice); attributes 75 and 76 are
  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR and _MINOR.
  auto init = reinterpret_cast<int (*)(unsigned)>(::dlsym(driver, "cuInit"));
  auto get = reinterpret_cast<int (*)(int*, int)>(::dlsym(driver, "cuDeviceGet"));
  auto attribute = reinterpret_cast<int (*)(int*, int, int)>(::dlsym(driver, "cuDeviceGetAttribute"));
  int device = 0, major = 0, minor = 0;
  bool ok = init && get && attribute && init(0) == 0 && get(&device, ordinal) == 0 &&
            attribute(&major, 75, device) == 0 && attribute(&minor, 76, device) == 0;
  ::dlclose(driver);
  return ok ? std::pair{major, minor} : std::pair{0, 0};
}

void set_cpu_threads(int64_t threads) {
  if (threads == 0) threads = default_cpu_threads();
  torch::set_num_threads(static_cast<int>(threads));
}

int64_t default_cpu_threads() {
  int64_t cores = std::max(1u, std::thread::hardware_concurrency());
  // torchrun and --nproc set LOCAL_WORLD_SIZE: ranks on one machine share its cores instead of each taking
  // all of them (oversubscribed, every rank runs slower than alone).
  const char* local_ranks = std::getenv("LOCAL_WORLD_SIZE");
  int64_t ranks = local_ranks ? std::max<int64_t>(1, std::atoll(local_ranks)) : 1;
  return std::max<int64_t>(1, cores / ranks);
}

}  // namespace ropelm
