// Step tensors against brute-force slices of the token stream; the train/val boundary; the prefetcher.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <numeric>

#include "data/token_splits.h"
#include "train/prefetcher.h"
#include "train/step_batches.h"
#include "util/error.h"

namespace ropelm {
namespace {

// A stream whose token at position i is i: every id in a batch tells where it came from.
struct PositionStream {
  explicit PositionStream(int64_t n) : ids(static_cast<size_t>(n)) { std::iota(ids.begin(), ids.end(), 0u); }
  TokenView view() const { return {ids.data(), 4, static_cast<int64_t>(ids.size())}; }
  std::vector<uint32_t> ids;
};

SamplerOptions sampling(int64_t batch, bool drop_last = true, int64_t rank = 0, int64_t world = 1) {
  return {batch, /*shuffle=*/true, drop_last, /*seed=*/7, rank, world};
}

// What the trainer's Prefetcher does in its thread, in the test's own thread: rows + sampler → batches.
struct DirectLoader {
  DirectLoader(TokenView tokens, WindowShape shape, const SamplerOptions& options,
               const char* split = "train")
      : rows(tokens, shape, split), sampler(rows.num_windows(), options) {}
  StepBatches next(int64_t grad_accum = 1) { return make_step_batches(rows, sampler.next_step(grad_accum)); }

  WindowRows rows;
  StepSampler sampler;
};

std::vector<int64_t> row(const torch::Tensor& tensor, int64_t r) {
  torch::Tensor values = tensor[r].contiguous();
  return {values.data_ptr<int64_t>(), values.data_ptr<int64_t>() + values.numel()};
}

TEST(StepBatches, InputsAndTargetsAreTheWindowsTokens) {
  for (int dtype : {2, 4}) {
    std::vector<uint16_t> narrow(300);
    std::vector<uint32_t> wide(300);
    for (size_t i = 0; i < 300; ++i) narrow[i] = wide[i] = static_cast<uint16_t>((i * 7919) % 65536);
    TokenView tokens = dtype == 2 ? TokenView(narrow.data(), 2, 300) : TokenView(wide.data(), 4, 300);
    const int64_t context = 6, stride = 5;
    DirectLoader loader(tokens, {context, stride}, sampling(4, /*drop_last=*/false));
    StepSampler sampler(window_count(300, {context, stride}), sampling(4, /*drop_last=*/false));
    for (int step = 0; step < 20; ++step) {
      Batch batch = loader.next().micro_batches[0];
      std::vector<int64_t> windows = sampler.next_step(1).micro_batches[0];
      ASSERT_EQ(batch.inputs.dtype(), torch::kInt64);
      ASSERT_EQ(batch.inputs.sizes(), (torch::IntArrayRef{static_cast<int64_t>(windows.size()), context}));
      ASSERT_EQ(batch.targets.sizes(), batch.inputs.sizes());
      for (size_t r = 0; r < windows.size(); ++r) {
        std::vector<int64_t> expected_input, expected_target;
        for (int64_t t = 0; t < context; ++t) {
          expected_input.push_back(tokens[windows[r] * stride + t]);
          expected_target.push_back(tokens[windows[r] * stride + t + 1]);
        }
        ASSERT_EQ(row(batch.inputs, r), expected_input);
        ASSERT_EQ(row(batch.targets, r), expected_target);
        // Every target is its input shifted by one.
        ASSERT_TRUE(torch::equal(batch.targets[r].slice(0, 0, context - 1), batch.inputs[r].slice(0, 1)));
      }
    }
  }
}

TEST(StepBatches, RaggedLastBatchIsSmaller) {
  PositionStream stream(11);  // context 2, stride 2: 5 windows
  DirectLoader loader(stream.view(), {2, 2}, sampling(3, /*drop_last=*/false));
  EXPECT_EQ(loader.next().micro_batches[0].inputs.size(0), 3);
  EXPECT_EQ(loader.next().micro_batches[0].inputs.size(0), 2);
  EXPECT_EQ(loader.sampler.steps_per_epoch(1), 2);
}

TEST(TokenSplits, NoWindowCrossesTheTrainValBoundary) {
  for (int64_t n : {100, 101, 1000}) {
    for (double fraction : {0.0, 0.1, 0.25, 0.5}) {
      PositionStream stream(n);
      TokenSplits splits = split_validation_tail(stream.view(), fraction);
      const auto val_tokens = static_cast<int64_t>(static_cast<double>(n) * fraction);
      ASSERT_EQ(splits.val.size(), val_tokens);
      ASSERT_EQ(splits.train.size() + splits.val.size(), n);
      const int64_t boundary = splits.train.size();
      DirectLoader train(splits.train, {4, 3}, sampling(5, /*drop_last=*/false));
      for (int64_t s = 0; s < train.sampler.steps_per_epoch(1); ++s) {
        ASSERT_LT(train.next().micro_batches[0].targets.max().item<int64_t>(), boundary);
      }
      if (splits.val.size() <= 4) continue;
      DirectLoader val(splits.val, {4, 3}, sampling(5, /*drop_last=*/false), "val");
      for (int64_t s = 0; s < val.sampler.steps_per_epoch(1); ++s) {
        ASSERT_GE(val.next().micro_batches[0].inputs.min().item<int64_t>(), boundary);
      }
    }
  }
}

TEST(TokenSplits, ValFractionOutsideRangeIsAUserError) {
  PositionStream stream(10);
  EXPECT_THROW(split_validation_tail(stream.view(), -0.1), UserError);
  EXPECT_THROW(split_validation_tail(stream.view(), 1.0), UserError);
  EXPECT_THROW(split_validation_tail(stream.view(), std::nan("")), UserError);
}

TEST(StepBatches, BadOptionsAreUserErrors) {
  PositionStream stream(50);
  EXPECT_THROW(DirectLoader(stream.view(), {0, 1}, sampling(2)), UserError);
  EXPECT_THROW(DirectLoader(stream.view(), {4, 0}, sampling(2)), UserError);
  EXPECT_THROW(DirectLoader(stream.view(), {4, 4}, sampling(0)), UserError);
  EXPECT_THROW(DirectLoader(stream.view(), {50, 1}, sampling(2)), UserError);  // needs 51 tokens
}

bool same_steps(const StepBatches& a, const StepBatches& b) {
  if (a.micro_batches.size() != b.micro_batches.size() || !(a.next == b.next) || a.epoch != b.epoch)
    return false;
  for (size_t m = 0; m < a.micro_batches.size(); ++m) {
    if (!torch::equal(a.micro_batches[m].inputs, b.micro_batches[m].inputs) ||
        !torch::equal(a.micro_batches[m].targets, b.micro_batches[m].targets)) {
      return false;
    }
  }
  return true;
}

TEST(StepBatches, ARestoredCursorGivesIdenticalBatches) {
  PositionStream stream(400);
  SamplerOptions rank1 = sampling(3, /*drop_last=*/false, /*rank=*/1, /*world=*/2);
  DirectLoader original(stream.view(), {8, 5}, rank1);
  for (int s = 0; s < 9; ++s) original.next(2);
  DirectLoader resumed(stream.view(), {8, 5}, rank1);
  resumed.sampler.restore(original.sampler.cursor());
  for (int s = 0; s < 30; ++s) ASSERT_TRUE(same_steps(original.next(2), resumed.next(2))) << s;
}

TEST(Prefetcher, DeliversTheSameStepsAsTheSamplerAndCarriesEachStepsCursor) {
  PositionStream stream(500);
  SamplerOptions rank1 = sampling(2, /*drop_last=*/false, /*rank=*/1, /*world=*/2);
  DirectLoader direct(stream.view(), {8, 8}, rank1);
  direct.next(2);
  StepSampler ahead(direct.rows.num_windows(), rank1);
  ahead.restore(direct.sampler.cursor());
  Prefetcher prefetcher(std::move(ahead), direct.rows, /*grad_accum=*/2, torch::kCPU, /*depth=*/3);
  for (int s = 0; s < 40; ++s) {  // about three epochs
    StepBatches expected = direct.next(2);
    StepBatches got = prefetcher.next();
    ASSERT_TRUE(same_steps(expected, got)) << "step " << s;
    ASSERT_EQ(got.next, direct.sampler.cursor());
  }
}

TEST(Prefetcher, StopsCleanlyWithAFullQueueOrRightAway) {
  PositionStream stream(500);
  WindowRows rows(stream.view(), {4, 4});
  { Prefetcher idle(StepSampler(rows.num_windows(), sampling(2)), rows, 1, torch::kCPU); }
  Prefetcher busy(StepSampler(rows.num_windows(), sampling(2)), rows, 1, torch::kCPU, /*depth=*/2);
  busy.next();
  std::this_thread::sleep_for(
      std::chrono::milliseconds(20));  // let the queue fill; the destructor must still join
}

TEST(Prefetcher, RethrowsTheLoadersError) {
  PositionStream stream(21);  // 5 windows of 4: fewer than one step of 2 × grad_accum 3 with drop_last
  WindowRows rows(stream.view(), {4, 4});
  Prefetcher prefetcher(StepSampler(rows.num_windows(), sampling(2, /*drop_last=*/true)), rows, 3,
                        torch::kCPU);
  EXPECT_THROW(prefetcher.next(), UserError);
}

}  // namespace
}  // namespace ropelm
