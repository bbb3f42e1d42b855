// LR schedule against its closed forms at hand-picked steps.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "train/lr_schedule.h"

namespace ropelm {
namespace {

OptimConfig schedule(const std::string& kind) {
  OptimConfig optim;
  optim.lr = 1.0;
  optim.min_lr = 0.1;
  optim.warmup_steps = 10;
  optim.schedule = parse_choice<LrSchedule>(kind).value();
  optim.wsd_decay_fraction = 0.2;
  return optim;
}

TEST(LrSchedule, WarmupIsLinearFromZero) {
  for (const char* kind : {"cosine", "linear", "constant", "wsd"}) {
    EXPECT_DOUBLE_EQ(lr_at(1, 110, schedule(kind)), 0.1) << kind;
    EXPECT_DOUBLE_EQ(lr_at(5, 110, schedule(kind)), 0.5) << kind;
    EXPECT_DOUBLE_EQ(lr_at(10, 110, schedule(kind)), 1.0) << kind;
  }
}

TEST(LrSchedule, CosineFollowsHalfACosineToMinLr) {
  EXPECT_NEAR(lr_at(60, 110, schedule("cosine")), 0.1 + 0.5 * (1 + std::cos(std::numbers::pi * 0.5)) * 0.9,
              1e-12);
  EXPECT_NEAR(lr_at(110, 110, schedule("cosine")), 0.1, 1e-12);
  EXPECT_NEAR(lr_at(500, 110, schedule("cosine")), 0.1, 1e-12);  // past the end stays at min_lr
}

TEST(LrSchedule, LinearConstantAndWsd) {
  EXPECT_NEAR(lr_at(35, 110, schedule("linear")), 1.0 - 0.9 * 0.25, 1e-12);
  EXPECT_DOUBLE_EQ(lr_at(100, 110, schedule("constant")), 1.0);
  EXPECT_DOUBLE_EQ(lr_at(90, 110, schedule("wsd")), 1.0);                 // still stable at 80%
  EXPECT_NEAR(lr_at(100, 110, schedule("wsd")), 1.0 - 0.9 * 0.5, 1e-12);  // halfway through the decay
  EXPECT_NEAR(lr_at(110, 110, schedule("wsd")), 0.1, 1e-12);
}

TEST(LrSchedule, NoWarmup) {
  OptimConfig optim = schedule("cosine");
  optim.warmup_steps = 0;
  EXPECT_NEAR(lr_at(1, 100, optim), 0.1 + 0.5 * (1 + std::cos(std::numbers::pi * 0.01)) * 0.9, 1e-12);
}

}  // namespace
}  // namespace ropelm
