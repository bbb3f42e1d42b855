// The busy-machine rule and its inputs.
#include "run/busy_cpu.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cstdlib>
#include <fstream>
#include <thread>

namespace ropelm {

std::optional<std::string> busy_cpu_warning(double load_average, int cores, int threads,
                                            const char* wait_policy) {
  if (wait_policy != nullptr || threads < 2 || load_average < cores) return std::nullopt;
  return fmt::format(
      "the CPU is busy (load average {:.1f} on {} cores): LibTorch's {} OpenMP threads spin while they wait "
      "for "
      "each other and can run 10-30x slower; set OMP_WAIT_POLICY=passive (or --threads 1) for this run",
      load_average, cores, threads);
}

std::optional<std::string> busy_cpu_warning() {
  double load = 0;
  std::ifstream("/proc/loadavg") >> load;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return busy_cpu_warning(load, cores, torch::get_num_threads(), std::getenv("OMP_WAIT_POLICY"));
}

}  // namespace ropelm
