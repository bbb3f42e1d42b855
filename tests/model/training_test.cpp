// The model learns: every position encoding trains, RoPE extrapolates in length, a tiny model memorises a
// sequence.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/lm_loss.h"
#include "model/transformer.h"
#include "model_test_util.h"
#include "util/error.h"

namespace ropelm {
namespace {

using testing::random_ids;
using testing::tiny_options;

// One Adam step on next-token prediction over `tokens` (B, T + 1); returns the mean loss before the step.
double train_step(Transformer& model, torch::optim::Adam& optimizer, const torch::Tensor& tokens) {
  const int64_t T = tokens.size(1) - 1;
  auto nll = token_nll(model(tokens.narrow(1, 0, T)), tokens.narrow(1, 1, T));
  auto loss = nll.sum / nll.count;
  optimizer.zero_grad();
  loss.backward();
  optimizer.step();
  return loss.item<double>();
}

TEST(Training, EveryPositionEncodingTrains) {
  torch::set_num_threads(1);
  for (auto position : {PositionKind::kRope, PositionKind::kSinusoidal, PositionKind::kLearned,
                        PositionKind::kNone, PositionKind::kAlibi}) {
    torch::manual_seed(11);
    Transformer model(tiny_options().position(position).max_seq_len(16).dropout(0.1));
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(3e-3));
    auto tokens = random_ids(4, 17, 50);
    const double first = train_step(model, optimizer, tokens);
    double last = first;
    for (int step = 0; step < 15; ++step) last = train_step(model, optimizer, tokens);
    EXPECT_LT(last, first - 0.3) << "position kind " << static_cast<int>(position);

    // Evaluation at 4× the training length: rope, sinusoidal, none and alibi run; learned refuses.
    model->eval();
    torch::NoGradGuard no_grad;
    auto long_ids = random_ids(1, 64, 50);
    if (position == PositionKind::kLearned) {
      EXPECT_THROW(model(long_ids), UserError);
    } else {
      EXPECT_TRUE(model(long_ids).isfinite().all().item<bool>());
    }
    EXPECT_TRUE(
        torch::equal(model(long_ids.narrow(1, 0, 16)), model(long_ids.narrow(1, 0, 16))));  // no dropout
  }
}

TEST(Training, LearnedRefusalNamesTheLimit) {
  Transformer model(tiny_options().position(PositionKind::kLearned).max_seq_len(16));
  try {
    model(random_ids(1, 17, 50));
    FAIL() << "expected a UserError";
  } catch (const UserError& error) {
    EXPECT_THAT(error.what(), ::testing::HasSubstr("model.max_seq_len = 16"));
  }
}

TEST(Training, TinyModelOverfitsOneSequence) {
  torch::set_num_threads(1);
  torch::manual_seed(12);
  Transformer model(TransformerOptions(64, 64, 2, 4).pad_vocab_multiple(64));
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(3e-3));
  auto tokens = random_ids(1, 65, 64);
  double loss = 0;
  int step = 0;
  for (; step < 300; ++step) {
    loss = train_step(model, optimizer, tokens);
    if (loss < 0.05) break;
  }
  EXPECT_LT(loss, 0.05) << "after " << step << " steps";
}

// The fused training loss (its gradient made in the forward pass) against autograd's log_softmax + nll_loss:
// 50 Adam steps from the same initialisation give the same losses to fp32 rounding. The data follow a rule
// (each id is the previous + 5, mod 64) rather than being random: memorising noise drives the loss towards 0
// where Adam amplifies rounding (which varies with buffer alignment) chaotically, while a rule is learned
// smoothly.
TEST(Training, FusedLossTrainsLikeAutogradCrossEntropy) {
  torch::set_num_threads(1);
  auto tokens = (random_ids(8, 1, 64) + 5 * torch::arange(33, torch::kLong)).remainder(64);  // (8, 33)
  std::vector<double> losses[2];
  for (int fused = 0; fused < 2; ++fused) {
    torch::manual_seed(13);
    Transformer model(TransformerOptions(64, 64, 2, 4).pad_vocab_multiple(64));
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(3e-3));
    for (int step = 0; step < 50; ++step) {
      auto logits = model(tokens.narrow(1, 0, 32));
      auto targets = tokens.narrow(1, 1, 32);
      torch::Tensor loss;
      if (fused) {
        TokenNll nll = token_nll(logits, targets);
        loss = nll.sum / nll.count;
      } else {
        loss = torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}),
                                                    targets.reshape({-1}));
      }
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      losses[fused].push_back(loss.item<double>());
    }
  }
  for (int step = 0; step < 50; ++step)
    EXPECT_NEAR(losses[1][step], losses[0][step], 1e-4 * losses[0][step]) << "step " << step;
  EXPECT_LT(losses[1].back(), losses[1].front() - 1.0);  // it did train
}

}  // namespace
}  // namespace ropelm
