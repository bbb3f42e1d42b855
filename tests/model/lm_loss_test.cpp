// token_nll's fused cross-entropy against autograd's log_softmax + nll_loss: loss, gradient, ignored targets.
#include <gtest/gtest.h>

#include "model/lm_loss.h"

namespace ropelm {
namespace {

namespace F = torch::nn::functional;

struct LossAndGrad {
  torch::Tensor loss, grad;
};

// Loss and gradient of `scale` · loss with respect to logits, as the training step backpropagates them.
template <typename LossFn>
LossAndGrad loss_and_grad(const torch::Tensor& logits, LossFn loss_fn, double scale) {
  auto x = logits.clone().requires_grad_();
  auto loss = loss_fn(x);
  (loss * scale).backward();
  return {loss.detach(), x.grad()};
}

TEST(Loss, FusedCrossEntropyMatchesAutograd) {
  torch::manual_seed(3);
  auto logits = torch::randn({2, 16, 300}) * 6;  // wide logits: some probabilities far below 1e-20
  auto targets = torch::randint(300, {2, 16}, torch::kLong);
  targets[0][3] = -100;
  targets[1][15] = -100;
  auto fused = loss_and_grad(
      logits, [&](const torch::Tensor& x) { return token_nll(x, targets).sum; }, 0.25);
  auto reference = loss_and_grad(
      logits,
      [&](const torch::Tensor& x) {
        return F::cross_entropy(x.reshape({-1, 300}), targets.reshape({-1}),
                                F::CrossEntropyFuncOptions().reduction(torch::kSum).ignore_index(-100));
      },
      0.25);
  EXPECT_NEAR(fused.loss.item<double>(), reference.loss.item<double>(), 1e-6 * reference.loss.item<double>());
  EXPECT_TRUE(torch::allclose(fused.grad, reference.grad, /*rtol=*/1e-5, /*atol=*/1e-7));
  EXPECT_TRUE(torch::equal(fused.grad[0][3], torch::zeros({300})));  // ignored target: no gradient
  EXPECT_EQ(token_nll(logits, targets).count.item<int64_t>(), 30);
}

TEST(Loss, NoGradPathMatchesGradPath) {
  torch::manual_seed(4);
  auto logits = torch::randn({3, 5, 40});
  auto targets = torch::randint(40, {3, 5}, torch::kLong);
  auto with_grad = token_nll(logits.clone().requires_grad_(), targets).sum;
  torch::NoGradGuard no_grad;
  EXPECT_NEAR(token_nll(logits, targets).sum.item<double>(), with_grad.item<double>(), 1e-4);
}

TEST(Loss, SecondBackwardThroughTheSameGraphFails) {
  auto x = torch::randn({4, 10}).requires_grad_();
  auto loss = token_nll(x, torch::randint(10, {4}, torch::kLong)).sum;
  loss.backward({}, /*retain_graph=*/true);
  EXPECT_THROW(loss.backward(), c10::Error);  // the gradient buffer was scaled in place by the first one
}

}  // namespace
}  // namespace ropelm
