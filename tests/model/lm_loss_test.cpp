// token_nll's fused cross-entropy against autograd's log_softmax + nll_loss: loss, gradient, ignored targets;
// with bf16 logits (the CPU's one-sweep kernel) against the same in fp64.
#include <gtest/gtest.h>

#include "model/kernels/cross_entropy_cpu.h"
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

// bf16 logits of several widths (a multiple of the kernel's 16 lanes, a ragged tail, fewer than 16), some
// rows far below their maximum (exponentials that underflow), targets in the tail, ignored rows: loss and
// gradient against fp64 arithmetic on the same bf16 values. The loss is fp32 statistics (1e-5); the gradient
// is bf16, so within its rounding (2^-8 relative, plus the absolute error of p − 1).
TEST(Loss, Bf16LogitsMatchFp64OnTheSameValues) {
  torch::manual_seed(5);
  for (int64_t V : {320, 301, 7}) {
    auto logits = (torch::randn({3, 6, V}) * 4).to(torch::kBFloat16);
    logits[0][1].fill_(-1000);  // a flat row far below zero: every probability 1/V
    logits[1][2][V - 1] = 80;   // one logit far above the rest
    auto targets = torch::randint(V, {3, 6}, torch::kLong);
    targets[1][2] = V - 1;
    targets[2][0] = V - 2;
    targets[2][5] = -100;
    auto fused = loss_and_grad(
        logits, [&](const torch::Tensor& x) { return token_nll(x, targets).sum; }, 0.125);
    auto reference = loss_and_grad(
        logits.to(torch::kDouble),
        [&](const torch::Tensor& x) {
          return F::cross_entropy(x.reshape({-1, V}), targets.reshape({-1}),
                                  F::CrossEntropyFuncOptions().reduction(torch::kSum).ignore_index(-100));
        },
        0.125);
    EXPECT_EQ(fused.loss.scalar_type(), torch::kFloat);
    EXPECT_NEAR(fused.loss.item<double>(), reference.loss.item<double>(),
                1e-5 * reference.loss.item<double>())
        << "V = " << V;
    ASSERT_EQ(fused.grad.scalar_type(), torch::kBFloat16);
    auto error = (fused.grad.to(torch::kDouble) - reference.grad).abs();
    auto allowed = reference.grad.abs() * (1.0 / 256) + 0.125 / 512;
    EXPECT_TRUE((error <= allowed).all().item<bool>())
        << "V = " << V << ", worst " << (error - allowed).max();
    EXPECT_TRUE(torch::equal(fused.grad[2][5], torch::zeros({V}, torch::kBFloat16)));  // ignored target
    torch::NoGradGuard no_grad;
    EXPECT_NEAR(token_nll(logits, targets).sum.item<double>(), fused.loss.item<double>(),
                1e-6 * fused.loss.item<double>());
    EXPECT_EQ(token_nll(logits, targets).count.item<int64_t>(), 17);
  }
}

TEST(Loss, Bf16KernelWritesSoftmaxMinusOneHot) {
  auto logits = torch::tensor({{0.0, std::log(3.0)}, {1.0, 1.0}}).to(torch::kBFloat16);  // p = 1/4, 3/4
  auto rows =
      cross_entropy_bf16_cpu(logits, torch::tensor({1, 0}, torch::kLong), -100, /*with_gradient=*/true);
  auto expected = torch::tensor({{0.25, -0.25}, {-0.5, 0.5}});
  EXPECT_TRUE(torch::allclose(rows.gradient.to(torch::kFloat), expected, 0, 1e-2)) << rows.gradient;
  EXPECT_NEAR(rows.nll[1].item<float>(), std::log(2.0), 1e-6);
}

}  // namespace
}  // namespace ropelm
