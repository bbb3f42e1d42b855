// Gradient accumulation gives the gradient (hence the update) of one big batch: the loss is normalised by the
// step's target tokens.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "model/model_options.h"
#include "train/train_step.h"

namespace ropelm {
namespace {

Transformer tiny_model() {
  torch::manual_seed(3);
  ModelConfig config;
  config.d_model = 32;
  config.n_layers = 2;
  config.n_heads = 2;
  return Transformer(from_config(config, 97, 12));
}

torch::Tensor windows() {
  torch::manual_seed(11);
  return torch::randint(0, 97, {8, 13}, torch::kLong);
}

// Splits the 8 windows into micro-batches of the given sizes.
StepBatches split(const std::vector<int64_t>& sizes) {
  torch::Tensor all = windows();
  StepBatches step;
  int64_t begin = 0;
  for (int64_t size : sizes) {
    torch::Tensor rows = all.slice(0, begin, begin + size);
    step.micro_batches.push_back({rows.slice(1, 0, 12).contiguous(), rows.slice(1, 1, 13).contiguous()});
    begin += size;
  }
  step.global_windows = begin;
  return step;
}

std::vector<torch::Tensor> update_with(const std::vector<int64_t>& sizes) {
  torch::set_num_threads(1);
  Transformer model = tiny_model();
  OptimConfig optim;
  AdamW optimizer(group_parameters(model->named_parameters(), optim), optim);
  StepBatches step = split(sizes);
  StepSettings settings{1e-2, 1.0, step.global_windows * 12, false};
  StepResult result = train_step(model, optimizer, step, torch::kCPU, settings);
  EXPECT_TRUE(result.applied);
  // The gradients the optimizer receives (after clipping): Adam's first step divides by |g| + eps, so
  // comparing the updated weights would amplify rounding in near-zero gradients far beyond the accumulation's
  // own error.
  std::vector<torch::Tensor> params;
  for (const auto& p : model->parameters()) params.push_back(p.grad().clone());
  params.push_back(result.loss.reshape({1}));
  params.push_back(result.grad_norm.reshape({1}));
  return params;
}

void expect_same_update(const std::vector<int64_t>& sizes) {
  auto reference = update_with({8});
  auto accumulated = update_with(sizes);
  ASSERT_EQ(reference.size(), accumulated.size());
  for (size_t i = 0; i < reference.size(); ++i) {
    EXPECT_TRUE(torch::allclose(reference[i], accumulated[i], 1e-6, 1e-6)) << "tensor " << i;
  }
}

TEST(GradAccum, FourTimesTwoEqualsOneBatchOfEight) {
  expect_same_update({2, 2, 2, 2});
}

TEST(GradAccum, RaggedMicroBatchesEqualOneBatch) {
  expect_same_update({3, 3, 2});
}

TEST(GradClip, ScalesToTheMaxNormAndReportsTheNormBefore) {
  torch::Tensor a = torch::zeros({2}, torch::requires_grad()), b = torch::zeros({1}, torch::requires_grad());
  a.mutable_grad() = torch::tensor({3.0f, 0.0f});
  b.mutable_grad() = torch::tensor({4.0f});
  std::vector<NamedParameter> params = {{"a", a, true}, {"b", b, false}};
  EXPECT_NEAR(clip_grad_norm(params, 1.0).item<double>(), 5.0, 1e-6);
  EXPECT_NEAR(a.grad()[0].item<double>(), 0.6, 1e-5);
  EXPECT_NEAR(b.grad()[0].item<double>(), 0.8, 1e-5);
  EXPECT_NEAR(clip_grad_norm(params, 10.0).item<double>(), 1.0, 1e-5);  // under the limit: unchanged
  EXPECT_NEAR(a.grad()[0].item<double>(), 0.6, 1e-5);
}

TEST(TrainStep, NonFiniteLossSkipsTheUpdate) {
  Transformer model = tiny_model();
  OptimConfig optim;
  AdamW optimizer(group_parameters(model->named_parameters(), optim), optim);
  {
    torch::NoGradGuard no_grad;
    model->parameters()[0].fill_(std::numeric_limits<float>::quiet_NaN());
  }
  auto before = model->parameters()[1].clone();
  StepBatches step = split({8});
  StepResult result = train_step(model, optimizer, step, torch::kCPU, {1e-2, 1.0, 8 * 12, false});
  EXPECT_FALSE(result.applied);
  EXPECT_TRUE(torch::equal(before, model->parameters()[1]));
  EXPECT_EQ(optimizer.steps_taken(), 0);
}

}  // namespace
}  // namespace ropelm
