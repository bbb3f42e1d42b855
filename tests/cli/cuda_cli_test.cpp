// --device cuda: with a GPU, the tiny fixture trains on CUDA like on the CPU (fp32, 20 steps, 1e-4); without
// one (the CPU build CI uses), asking for CUDA is a one-line user error, not a crash.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "cli_runner.h"

namespace ropelm::test {
namespace {

TEST(CudaCli, TinyFixtureLossesMatchTheCpu) {
  const std::string train =
      "train --config tests/cli/fixtures/train_tiny.toml --set model.dropout=0.0 --set train.steps=20 ";
  if (!torch::cuda::is_available()) {
    auto run = fresh_dir("ropelm_cuda_test", "no_gpu");
    expect_one_line_error(run_ropelm("--device cuda " + train + "--run-dir " + run.string()),
                          "no CUDA device");
    return;
  }
  auto cpu = fresh_dir("ropelm_cuda_test", "cpu"), cuda = fresh_dir("ropelm_cuda_test", "cuda");
  CliResult on_cpu = run_ropelm("--device cpu " + train + "--run-dir " + cpu.string());
  ASSERT_EQ(on_cpu.exit_code, 0) << on_cpu.err;
  CliResult on_cuda = run_ropelm("--device cuda " + train + "--run-dir " + cuda.string());
  ASSERT_EQ(on_cuda.exit_code, 0) << on_cuda.err;
  auto a = logged_losses(cpu), b = logged_losses(cuda);
  ASSERT_EQ(a.size(), 20u);
  ASSERT_EQ(b.size(), 20u);
  for (const auto& [step, loss] : a) EXPECT_NEAR(b.at(step), loss, 1e-4 * loss) << "step " << step;
}

}  // namespace
}  // namespace ropelm::test
