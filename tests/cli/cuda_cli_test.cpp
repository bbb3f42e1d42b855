// --device cuda: with a GPU, the tiny fixture trains on CUDA like on the CPU (fp32, 20 steps, 1e-4), bf16
// autocast trains, and one NCCL rank equals no process group; without one (the CPU builds CI uses), asking
// for CUDA is a one-line user error, not a crash, and the GPU-only tests skip saying why.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>

#include "cli_runner.h"
#include "distributed/local_launcher.h"

namespace ropelm::test {
namespace {

const std::string kTrain =
    "train --config tests/fixtures/cli/train_tiny.toml --set model.dropout=0.0 --set train.steps=20 ";

class CudaCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "LibTorch sees no CUDA device here";
  }
  // Trains the tiny fixture on CUDA with `extra` options in a fresh run dir; its losses by step.
  static std::map<int64_t, double> cuda_losses(const std::string& name, const std::string& extra) {
    auto run = fresh_dir("ropelm_cuda_test", name);
    CliResult result = run_ropelm("--device cuda " + kTrain + extra + " --run-dir " + run.string());
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return logged_losses(run);
  }
};

TEST(CudaCliWithoutGpu, AskingForCudaIsOneLine) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "a CUDA device is visible: CudaCli.* run instead";
  auto run = fresh_dir("ropelm_cuda_test", "no_gpu");
  expect_one_line_error(run_ropelm("--device cuda " + kTrain + "--run-dir " + run.string()),
                        "no CUDA device");
}

TEST_F(CudaCli, TinyFixtureLossesMatchTheCpu) {
  auto cpu = fresh_dir("ropelm_cuda_test", "cpu");
  CliResult on_cpu = run_ropelm("--device cpu " + kTrain + "--run-dir " + cpu.string());
  ASSERT_EQ(on_cpu.exit_code, 0) << on_cpu.err;
  auto a = logged_losses(cpu), b = cuda_losses("cuda", "");
  ASSERT_EQ(a.size(), 20u);
  ASSERT_EQ(b.size(), 20u);
  for (const auto& [step, loss] : a) EXPECT_NEAR(b.at(step), loss, 1e-4 * loss) << "step " << step;
}

TEST_F(CudaCli, Bf16AutocastTrainsLikeFp32) {
  auto fp32 = cuda_losses("fp32", ""), bf16 = cuda_losses("bf16", "--set train.precision=bf16");
  ASSERT_EQ(bf16.size(), 20u);
  EXPECT_LT(bf16.rbegin()->second, bf16.begin()->second) << "bf16 training should lower the loss";
  for (const auto& [step, loss] : fp32) EXPECT_NEAR(bf16.at(step), loss, 0.02 * loss) << "step " << step;
}

// NCCL refuses two ranks on one GPU, so the process group is checked with one rank, started the way torchrun
// starts it, against a plain process: the same losses.
TEST_F(CudaCli, OneNcclRankEqualsNoProcessGroup) {
  auto plain = cuda_losses("plain", "");
  ::setenv("RANK", "0", 1);
  ::setenv("WORLD_SIZE", "1", 1);
  ::setenv("MASTER_ADDR", "127.0.0.1", 1);
  ::setenv("MASTER_PORT", std::to_string(free_loopback_port()).c_str(), 1);
  auto nccl = cuda_losses("nccl", "--set distributed.backend=nccl");
  for (const char* name : {"RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"}) ::unsetenv(name);
  ASSERT_EQ(nccl.size(), 20u);
  for (const auto& [step, loss] : plain) EXPECT_NEAR(nccl.at(step), loss, 1e-6 * loss) << "step " << step;
}

}  // namespace
}  // namespace ropelm::test
