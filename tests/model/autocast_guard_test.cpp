// AutocastGuard: on inside its scope, off again after it, also when the scope is left by an exception.
#include <gtest/gtest.h>

#include <stdexcept>

#include "model/autocast_guard.h"

namespace ropelm {
namespace {

const torch::Device kCpu(torch::kCPU);

TEST(AutocastGuard, OnInsideOffAfterward) {
  ASSERT_FALSE(autocast_enabled(kCpu));
  {
    AutocastGuard guard(kCpu, true);
    EXPECT_TRUE(autocast_enabled(kCpu));
    // Under CPU autocast a matrix product runs in bf16: a closed-form check that the dtype took effect.
    auto product = torch::matmul(torch::ones({2, 2}), torch::ones({2, 2}));
    EXPECT_EQ(product.scalar_type(), torch::kBFloat16);
  }
  EXPECT_FALSE(autocast_enabled(kCpu));
  EXPECT_EQ(torch::matmul(torch::ones({2, 2}), torch::ones({2, 2})).scalar_type(), torch::kFloat);
}

TEST(AutocastGuard, AnExceptionInTheScopeLeavesItOff) {
  try {
    AutocastGuard guard(kCpu, true);
    throw std::runtime_error("forward failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(autocast_enabled(kCpu));
}

TEST(AutocastGuard, DisabledGuardChangesNothing) {
  AutocastGuard guard(kCpu, false);
  EXPECT_FALSE(autocast_enabled(kCpu));
}

}  // namespace
}  // namespace ropelm
