// A warning for CPU training on a busy machine: LibTorch's OpenMP threads (libgomp) spin while they wait for
// each other, and when other processes hold the cores every step's many waits turn into lost time slices.
#pragma once

#include <optional>
#include <string>

namespace ropelm {

// The warning, or nothing: when the 1-minute load average before the run is at least the number of cores,
// the run uses more than one intra-op thread and OMP_WAIT_POLICY is unset (`wait_policy` null). Measured on
// the 2-core development VM at load 3-12: configs/shakespeare-char.toml ran at 400-3,700 tokens/s with the
// default policy, 8,000-10,700 with OMP_WAIT_POLICY=passive and 11,000-12,500 with one thread, and PyTorch
// eager the same; idle, the default policy is fastest (22,000 against passive's 13,000).
std::optional<std::string> busy_cpu_warning(double load_average, int cores, int threads,
                                            const char* wait_policy);

// The same for this machine now (/proc/loadavg, the environment, LibTorch's thread count).
std::optional<std::string> busy_cpu_warning();

}  // namespace ropelm
