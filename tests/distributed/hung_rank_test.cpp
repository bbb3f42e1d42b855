// A stopped rank 0 (SIGSTOP: its rendezvous store stops answering too) is reported as hung, within one
// timeout, not as "rank 0 exited" after two.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "distributed/process_group.h"
#include "rank_workers.h"

namespace ropelm {
namespace {

using ::testing::HasSubstr;
using testing::seconds_since;

// The other rank: the process, other than this one, whose parent is this one's parent (the launcher).
pid_t sibling_rank() {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");  // "pid (comm) state ppid ..."; /proc/self is this process
    std::string line;
    if (!std::getline(stat, line) || line.rfind(')') == std::string::npos) continue;
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    char state = 0;
    pid_t parent = 0, pid = std::atoi(line.c_str());
    rest >> state >> parent;
    if (parent == ::getppid() && pid != ::getpid()) return pid;
  }
  return 0;
}

TEST(Worker, Rank0Stops) {
  ROPELM_WORKER_ONLY();
  constexpr int kTimeoutS = 3;
  DistributedConfig config;
  config.timeout_s = kTimeoutS;
  Distributed group(distributed_env_from_environment(), config, torch::kCPU);
  group.barrier();
  if (group.rank() == 0) ::raise(SIGSTOP);  // as Ctrl-Z or a debugger would: every thread stops
  auto start = std::chrono::steady_clock::now();
  try {
    group.all_reduce_sum(1.0);
    ADD_FAILURE() << "an all-reduce with a stopped peer returned";
  } catch (const PeerFailure& failure) {
    if (group.rank() == 0) return;  // continued by rank 1, which has left
    EXPECT_THAT(failure.what(), HasSubstr("rank 0 hangs: its process (pid "));
    EXPECT_THAT(failure.what(), HasSubstr("is stopped"));
    EXPECT_LT(seconds_since(start), 2.0 * kTimeoutS - 0.5) << "waited out the timeout twice";
    pid_t rank0 = sibling_rank();
    ASSERT_GT(rank0, 0) << "rank 0 not found: it stays stopped";
    ::kill(rank0, SIGCONT);
  }
}

TEST(TwoRanks, StoppedRank0IsReportedAsHung) {
  EXPECT_EQ(testing::run_ranks("Worker.Rank0Stops"), 0);
}

}  // namespace
}  // namespace ropelm
