// `--nproc N`: argument rewriting, exit codes, killing the survivors of a failed rank, forwarding signals.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "rank_workers.h"

namespace ropelm {
namespace {

using testing::run_ranks;
using testing::seconds_since;

TEST(LocalLauncher, DropsTheNprocOption) {
  using Args = std::vector<std::string>;
  EXPECT_EQ(without_nproc({"ropelm", "train", "--nproc", "2", "--config", "c.toml"}),
            (Args{"ropelm", "train", "--config", "c.toml"}));
  EXPECT_EQ(without_nproc({"ropelm", "train", "--nproc=4", "--set", "a=1"}),
            (Args{"ropelm", "train", "--set", "a=1"}));
  EXPECT_EQ(without_nproc({"ropelm", "train"}), (Args{"ropelm", "train"}));
}

TEST(Worker, SeesTorchrunEnvironment) {
  ROPELM_WORKER_ONLY();
  EXPECT_STREQ(std::getenv("WORLD_SIZE"), "2");
  EXPECT_STREQ(std::getenv("LOCAL_RANK"), std::getenv("RANK"));
  EXPECT_STREQ(std::getenv("MASTER_ADDR"), "127.0.0.1");
  EXPECT_GT(std::atoi(std::getenv("MASTER_PORT")), 0);
  EXPECT_NE(std::getenv("OMP_NUM_THREADS"), nullptr);
}

TEST(Worker, RankOneFailsRankZeroHangs) {
  ROPELM_WORKER_ONLY();
  if (std::string(std::getenv("RANK")) == "1") ::_exit(7);
  std::this_thread::sleep_for(std::chrono::seconds(60));
}

TEST(Worker, SleepsUntilSignalled) {
  ROPELM_WORKER_ONLY();
  std::this_thread::sleep_for(std::chrono::seconds(60));
}

TEST(LocalLauncher, ChildrenGetTorchrunEnvironment) {
  EXPECT_EQ(run_ranks("Worker.SeesTorchrunEnvironment"), 0);
}

TEST(LocalLauncher, FailedRankCodeIsReturnedAndSurvivorsKilledAfterGrace) {
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(run_ranks("Worker.RankOneFailsRankZeroHangs", 2, std::chrono::seconds(1)), 7);
  EXPECT_LT(seconds_since(start), 10.0);
}

TEST(LocalLauncher, ForwardsSigterm) {
  std::thread signaller([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ::kill(::getpid(), SIGTERM);
  });
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(run_ranks("Worker.SleepsUntilSignalled"), 128 + SIGTERM);
  EXPECT_LT(seconds_since(start), 10.0);
  signaller.join();
}

}  // namespace
}  // namespace ropelm
