// Multi-process tests without fork() after LibTorch starts threads: a driver test re-executes this test
// binary through launch_local_ranks (so the launcher is exercised too), each rank running one worker test
// with torchrun's environment; workers skip themselves in a normal run.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "distributed/local_launcher.h"

namespace ropelm::testing {

inline bool is_rank_worker() {
  return std::getenv("RANK") != nullptr;
}

#define ROPELM_WORKER_ONLY() \
  if (!::ropelm::testing::is_rank_worker()) GTEST_SKIP() << "runs as a rank of a driver test"

// Runs worker test `name` (Suite.Test) as `nproc` ranks; returns the launcher's exit code.
inline int run_ranks(const std::string& name, int nproc = 2,
                     std::chrono::seconds grace = std::chrono::seconds(20)) {
  return launch_local_ranks(nproc, {"test_distributed", "--gtest_filter=" + name, "--nproc", "2"}, grace);
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace ropelm::testing
