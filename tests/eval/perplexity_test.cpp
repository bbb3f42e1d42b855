// Strided perplexity: window plans score every token once; the scores equal a direct computation.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "eval/perplexity.h"
#include "model/model_options.h"
#include "util/error.h"

namespace ropelm {
namespace {

TEST(EvalWindows, EveryTokenAfterTheFirstIsScoredExactlyOnce) {
  for (int64_t n : {2, 3, 10, 17, 64, 65, 100}) {
    for (int64_t context : {1, 4, 16}) {
      for (int64_t stride = 1; stride <= context; ++stride) {
        std::vector<int> scored(n, 0);
        for (const EvalWindow& w : eval_windows(n, context, stride)) {
          ASSERT_LE(w.length, context);
          ASSERT_LE(w.begin + w.length, n - 1);  // the last target exists
          for (int64_t p = std::max(w.first_scored, w.begin + 1); p <= w.begin + w.length; ++p) ++scored[p];
        }
        EXPECT_EQ(scored[0], 0);
        for (int64_t p = 1; p < n; ++p)
          ASSERT_EQ(scored[p], 1) << n << " " << context << " " << stride << " " << p;
      }
    }
  }
}

TEST(EvalWindows, StrideEqualToContextGivesNonOverlappingBlocks) {
  auto windows = eval_windows(10, 4, 4);  // positions 1..9: blocks [0,4) [4,8) and the partial [8,9)
  ASSERT_EQ(windows.size(), 3u);
  EXPECT_EQ(windows[2].begin, 8);
  EXPECT_EQ(windows[2].length, 1);
  for (const auto& w : windows) EXPECT_EQ(w.first_scored, w.begin + 1);
}

class ScoreTokens : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::manual_seed(5);
    ModelConfig config;
    config.d_model = 32;
    config.n_layers = 1;
    config.n_heads = 2;
    model_ = Transformer(from_config(config, 50, 8));
    ids_.resize(43);
    for (size_t i = 0; i < ids_.size(); ++i) ids_[i] = static_cast<uint16_t>((i * 7 + i * i) % 50);
    tokens_ = TokenView(ids_.data(), 2, static_cast<int64_t>(ids_.size()));
  }
  Transformer model_{nullptr};
  std::vector<uint16_t> ids_;
  TokenView tokens_;
};

TEST_F(ScoreTokens, StrideEqualToContextMatchesDirectBlocks) {
  PerplexityOptions options{8, 8, 3};
  NllSum sum = score_tokens(model_, tokens_, options, torch::kCPU);
  torch::NoGradGuard no_grad;
  model_->eval();
  double nll = 0;
  int64_t count = 0;
  for (int64_t begin = 0; begin + 1 < tokens_.size(); begin += 8) {
    int64_t length = std::min<int64_t>(8, tokens_.size() - 1 - begin);
    std::vector<int64_t> input(ids_.begin() + begin, ids_.begin() + begin + length);
    auto log_probs = model_->forward(torch::tensor(input).unsqueeze(0)).log_softmax(-1)[0];
    for (int64_t t = 0; t < length; ++t) nll -= log_probs[t][ids_[begin + t + 1]].item<double>();
    count += length;
  }
  EXPECT_EQ(sum.tokens, 42);
  EXPECT_EQ(count, 42);
  EXPECT_NEAR(std::exp(sum.nll / sum.tokens), std::exp(nll / count), 1e-6 * std::exp(nll / count));
}

TEST_F(ScoreTokens, SmallerStrideScoresEveryTokenOnceWithMoreContext) {
  NllSum strided = score_tokens(model_, tokens_, {8, 3, 4}, torch::kCPU);
  EXPECT_EQ(strided.tokens, tokens_.size() - 1);
  NllSum blocks = score_tokens(model_, tokens_, {8, 8, 4}, torch::kCPU);
  EXPECT_NE(strided.nll, blocks.nll);  // more history changes the scores
}

TEST_F(ScoreTokens, RanksShareTheWindowsAndSumToOneProcess) {
  NllSum whole = score_tokens(model_, tokens_, {8, 5, 2}, torch::kCPU);
  NllSum r0 = score_tokens(model_, tokens_, {8, 5, 2, 0, 0, 2}, torch::kCPU);
  NllSum r1 = score_tokens(model_, tokens_, {8, 5, 2, 0, 1, 2}, torch::kCPU);
  EXPECT_EQ(r0.tokens + r1.tokens, whole.tokens);
  EXPECT_NEAR(r0.nll + r1.nll, whole.nll, 1e-7 * whole.nll);  // batches differ: fp32 sums in another order
}

TEST(PerplexityOptions, RejectsStrideBeyondContext) {
  EXPECT_THROW((PerplexityOptions{8, 9, 1}).validate(), UserError);
  EXPECT_THROW((PerplexityOptions{8, 0, 1}).validate(), UserError);
  EXPECT_THROW((PerplexityOptions{0, 1, 1}).validate(), UserError);
}

}  // namespace
}  // namespace ropelm
