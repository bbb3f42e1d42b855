// Data parallel end to end on Gloo: 2 local ranks train like 1 process with the same global batch, and a
// 2-rank run stopped by SIGTERM resumes on 1 rank where it left off.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <csignal>
#include <map>
#include <thread>

#include "cli_runner.h"

namespace ropelm::test {
namespace {

namespace fs = std::filesystem;

// Dropout off: each rank draws its own dropout masks, so only a deterministic model can match one process.
const std::string kTrain = "train --config tests/cli/fixtures/train_tiny.toml --set model.dropout=0.0 ";

void expect_losses_close(const std::map<int64_t, double>& a, const std::map<int64_t, double>& b,
                         size_t steps) {
  ASSERT_EQ(a.size(), steps);
  ASSERT_EQ(b.size(), steps);
  for (const auto& [step, loss] : a) EXPECT_NEAR(b.at(step), loss, 1e-5 * loss) << "step " << step;
}

TEST(DistributedCli, TwoRanksMatchOneProcessWithTheSameGlobalBatch) {
  fs::path single = fresh_dir("ropelm_ddp_test", "single"), ranks = fresh_dir("ropelm_ddp_test", "ranks");
  CliResult one = run_ropelm(kTrain + "--set train.steps=20 --run-dir " + single.string());
  ASSERT_EQ(one.exit_code, 0) << one.err;
  CliResult two = run_ropelm(kTrain + "--set train.steps=20 --set data.batch_size=4 --nproc 2 --run-dir " +
                             ranks.string());
  ASSERT_EQ(two.exit_code, 0) << two.err;
  expect_losses_close(logged_losses(single), logged_losses(ranks), 20);
}

TEST(DistributedCli, TwoRanksWithGradAccumMatchOneProcess) {
  fs::path single = fresh_dir("ropelm_ddp_test", "single_accum"),
           ranks = fresh_dir("ropelm_ddp_test", "ranks_accum");
  ASSERT_EQ(run_ropelm(kTrain + "--set train.steps=12 --run-dir " + single.string()).exit_code, 0);
  CliResult two = run_ropelm(kTrain +
                             "--set train.steps=12 --set data.batch_size=2 --set train.grad_accum=2 "
                             "--nproc 2 --run-dir " +
                             ranks.string());
  ASSERT_EQ(two.exit_code, 0) << two.err;
  expect_losses_close(logged_losses(single), logged_losses(ranks), 12);
}

TEST(DistributedCli, SigtermedTwoRankRunResumesOnOneRank) {
  fs::path single = fresh_dir("ropelm_ddp_test", "single_resume"),
           run = fresh_dir("ropelm_ddp_test", "sigterm_2");
  ASSERT_EQ(run_ropelm(kTrain + "--set train.steps=24 --run-dir " + single.string()).exit_code, 0);
  pid_t pid = spawn_ropelm(
      kTrain + "--set train.steps=24 --set data.batch_size=4 --nproc 2 --run-dir " + run.string(),
      run.string() + ".out", run.string() + ".err");
  for (int i = 0; i < 6000 && logged_losses(run).size() < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGTERM);  // the launcher forwards it to both ranks
  ASSERT_EQ(wait_exit_code(pid), 0) << slurp(run.string() + ".err");
  ASSERT_LT(logged_losses(run).size(), 24u) << "the run finished before the signal arrived";
  CliResult resumed = run_ropelm(kTrain + "--set train.steps=24 --resume auto --run-dir " + run.string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  expect_losses_close(logged_losses(single), logged_losses(run), 24);
}

}  // namespace
}  // namespace ropelm::test
