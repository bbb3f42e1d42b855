// The global-step sampler: coverage, determinism, resume, and rank slices that add up to one process's batch.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <numeric>

#include "data/step_sampler.h"
#include "util/error.h"

namespace ropelm {
namespace {

SamplerOptions options(int64_t batch, bool shuffle, bool drop_last, int64_t rank = 0, int64_t world = 1) {
  return {batch, shuffle, drop_last, /*seed=*/1337, rank, world};
}

// One step of every rank, concatenated in slot order (micro-batch major, then rank).
std::vector<int64_t> global_step(std::vector<StepSampler>& ranks, int64_t grad_accum, int64_t* epoch) {
  std::vector<StepPlan> plans;
  for (StepSampler& rank : ranks) plans.push_back(rank.next_step(grad_accum));
  std::vector<int64_t> windows;
  for (int64_t m = 0; m < grad_accum; ++m) {
    for (const StepPlan& plan : plans) {
      EXPECT_EQ(plan.next, plans.front().next);
      EXPECT_EQ(plan.global_windows, plans.front().global_windows);
      windows.insert(windows.end(), plan.micro_batches[m].begin(), plan.micro_batches[m].end());
    }
  }
  EXPECT_EQ(static_cast<int64_t>(windows.size()), plans.front().global_windows);
  *epoch = plans.front().epoch;
  return windows;
}

std::vector<StepSampler> make_ranks(int64_t windows, const SamplerOptions& base) {
  std::vector<StepSampler> ranks;
  for (int64_t r = 0; r < base.world_size; ++r) {
    SamplerOptions rank = base;
    rank.rank = r;
    ranks.emplace_back(windows, rank);
  }
  return ranks;
}

TEST(StepSampler, AnEpochVisitsEveryWindowExactlyOnce) {
  for (int64_t windows : {1, 7, 64, 101}) {
    for (int64_t batch : {1, 3, 8}) {
      for (int64_t world : {1, 2, 3}) {
        for (int64_t accum : {1, 2}) {
          for (bool drop_last : {false, true}) {
            int64_t global = batch * world * accum;
            if (drop_last && windows < global) continue;
            auto ranks = make_ranks(windows, options(batch, /*shuffle=*/true, drop_last, 0, world));
            std::map<int64_t, int> visits;
            int64_t epoch = 0;
            for (int64_t step = 0; step < ranks[0].steps_per_epoch(accum); ++step) {
              for (int64_t w : global_step(ranks, accum, &epoch)) ++visits[w];
              ASSERT_EQ(epoch, 0);
            }
            int64_t expected = drop_last ? windows / global * global : windows;
            ASSERT_EQ(static_cast<int64_t>(visits.size()), expected);
            for (auto [window, count] : visits) ASSERT_EQ(count, 1) << "window " << window;
            global_step(ranks, accum, &epoch);
            ASSERT_EQ(epoch, 1) << "the epoch should be spent";
          }
        }
      }
    }
  }
}

TEST(StepSampler, SameSeedSameOrderNextEpochDifferent) {
  StepSampler a(50, options(5, true, true));
  StepSampler b(50, options(5, true, true));
  std::vector<int64_t> first, second, again;
  for (int i = 0; i < 10; ++i) first.push_back(a.next_step(1).micro_batches[0][0]);
  for (int i = 0; i < 10; ++i) second.push_back(a.next_step(1).micro_batches[0][0]);
  for (int i = 0; i < 10; ++i) again.push_back(b.next_step(1).micro_batches[0][0]);
  EXPECT_EQ(first, again);
  EXPECT_NE(first, second);
}

TEST(StepSampler, WithoutShuffleWindowsComeInOrder) {
  StepSampler sampler(10, options(4, /*shuffle=*/false, /*drop_last=*/false));
  EXPECT_EQ(sampler.next_step(1).micro_batches[0], (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(sampler.next_step(1).micro_batches[0], (std::vector<int64_t>{4, 5, 6, 7}));
  EXPECT_EQ(sampler.next_step(1).micro_batches[0], (std::vector<int64_t>{8, 9}));
  StepPlan wrapped = sampler.next_step(1);
  EXPECT_EQ(wrapped.epoch, 1);
  EXPECT_EQ(wrapped.micro_batches[0], (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST(StepSampler, RankSlicesUnionIsTheOneProcessGlobalBatch) {
  const int64_t batch = 3, world = 2, accum = 2;
  for (bool drop_last : {false, true}) {
    auto ranks = make_ranks(53, options(batch, true, drop_last, 0, world));
    StepSampler single(53, options(batch * world * accum, true, drop_last));
    for (int step = 0; step < 12; ++step) {  // several epochs, ragged last steps included when !drop_last
      int64_t epoch = 0;
      std::vector<int64_t> union_of_ranks = global_step(ranks, accum, &epoch);
      StepPlan one = single.next_step(1);
      ASSERT_EQ(union_of_ranks, one.micro_batches[0]) << "step " << step;
      ASSERT_EQ(epoch, one.epoch);
    }
  }
}

TEST(StepSampler, GradAccumOnOneRankEqualsPlainSteps) {
  StepSampler accumulated(40, options(4, true, false));
  StepSampler plain(40, options(4, true, false));
  // 40 windows = 3 full steps of 12, then a ragged one spread over the micro-batches differently.
  for (int step = 0; step < 3; ++step) {
    StepPlan plan = accumulated.next_step(3);
    ASSERT_EQ(plan.global_windows, 12);
    for (const auto& micro : plan.micro_batches) ASSERT_EQ(micro, plain.next_step(1).micro_batches[0]);
  }
}

TEST(StepSampler, RestoringACursorReplaysTheRemainingSteps) {
  const int64_t world = 2, accum = 2;
  for (bool drop_last : {false, true}) {
    SamplerOptions base = options(2, true, drop_last, 0, world);
    int64_t steps = StepSampler(45, base).steps_per_epoch(accum);
    for (int64_t saved_at = 0; saved_at <= 2 * steps + 1; ++saved_at) {
      auto original = make_ranks(45, base);
      int64_t epoch = 0;
      for (int64_t s = 0; s < saved_at; ++s) global_step(original, accum, &epoch);
      // Round-trip through JSON, as a checkpoint does.
      auto restored_cursor = nlohmann::json(original[0].cursor()).get<LoaderCursor>();
      auto resumed = make_ranks(45, base);
      for (StepSampler& rank : resumed) rank.restore(restored_cursor);
      for (int64_t s = 0; s < 2 * steps + 2; ++s) {  // crosses at least one epoch boundary
        int64_t epoch_a = 0, epoch_b = 0;
        ASSERT_EQ(global_step(original, accum, &epoch_a), global_step(resumed, accum, &epoch_b))
            << "saved at " << saved_at << ", step " << s;
        ASSERT_EQ(epoch_a, epoch_b);
      }
    }
  }
}

TEST(StepSampler, StepsPerEpochCountsSteps) {
  for (bool drop_last : {false, true}) {
    StepSampler sampler(23, options(5, true, drop_last));
    int64_t steps = 0;
    while (sampler.next_step(1).epoch == 0) ++steps;
    EXPECT_EQ(steps, sampler.steps_per_epoch(1));
    EXPECT_EQ(steps, drop_last ? 4 : 5);
  }
}

TEST(StepSlotSizes, EvenSplitAddsUp) {
  for (int64_t n = 0; n <= 40; ++n) {
    for (int64_t accum = 1; accum <= 4; ++accum) {
      for (int64_t world = 1; world <= 3; ++world) {
        std::vector<int64_t> sizes = step_slot_sizes(n, accum, world);
        ASSERT_EQ(std::accumulate(sizes.begin(), sizes.end(), int64_t{0}), n);
        auto [low, high] = std::minmax_element(sizes.begin(), sizes.end());
        ASSERT_LE(*high - *low, 1) << n << " " << accum << " " << world;
      }
    }
  }
  EXPECT_EQ(step_slot_sizes(12, 2, 2), (std::vector<int64_t>{3, 3, 3, 3}));
  EXPECT_EQ(step_slot_sizes(3, 2, 2), (std::vector<int64_t>{1, 1, 1, 0}));  // a rank may get nothing
}

TEST(StepSampler, BadOptionsAreUserErrors) {
  EXPECT_THROW(StepSampler(10, options(0, true, true)), UserError);
  EXPECT_THROW(StepSampler(10, options(2, true, true, /*rank=*/2, /*world=*/2)), UserError);
  EXPECT_THROW(StepSampler(0, options(2, true, true)), UserError);
  StepSampler sampler(10, options(4, true, /*drop_last=*/true));
  EXPECT_THROW(sampler.next_step(0), UserError);
  EXPECT_THROW(sampler.next_step(3), UserError);  // 12 windows per step, only 10: never a full step
  EXPECT_THROW(sampler.restore({0, 11}), UserError);
  EXPECT_NO_THROW(sampler.restore({4, 10}));
}

TEST(LoaderCursor, JsonRoundTripAndValidation) {
  LoaderCursor cursor{3, 17};
  nlohmann::json json = cursor;
  EXPECT_EQ(json.dump(), R"({"epoch":3,"position":17})");
  EXPECT_EQ(json.get<LoaderCursor>(), cursor);
  EXPECT_THROW(nlohmann::json::parse(R"({"epoch":1})").get<LoaderCursor>(), UserError);
  EXPECT_THROW(nlohmann::json::parse(R"({"epoch":-1,"position":0})").get<LoaderCursor>(), UserError);
}

}  // namespace
}  // namespace ropelm
