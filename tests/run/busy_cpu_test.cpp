// busy_cpu_warning's rule: a warning only when the load reaches the core count, several threads wait on each
// other and the user has not chosen an OpenMP wait policy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run/busy_cpu.h"

namespace ropelm {
namespace {

TEST(BusyCpu, WarnsWhenTheLoadReachesTheCoresWithSeveralThreadsAndNoPolicy) {
  auto warning = busy_cpu_warning(8.2, 2, 2, nullptr);
  ASSERT_TRUE(warning.has_value());
  EXPECT_THAT(*warning, ::testing::HasSubstr("load average 8.2 on 2 cores"));
  EXPECT_THAT(*warning, ::testing::HasSubstr("OMP_WAIT_POLICY=passive"));
  EXPECT_TRUE(busy_cpu_warning(2.0, 2, 2, nullptr).has_value());
}

TEST(BusyCpu, QuietOtherwise) {
  EXPECT_FALSE(busy_cpu_warning(1.9, 2, 2, nullptr).has_value());    // below the core count
  EXPECT_FALSE(busy_cpu_warning(8.0, 2, 1, nullptr).has_value());    // one thread waits on nobody
  EXPECT_FALSE(busy_cpu_warning(8.0, 2, 2, "passive").has_value());  // the user chose a policy
  EXPECT_FALSE(busy_cpu_warning(8.0, 2, 2, "ACTIVE").has_value());
}

}  // namespace
}  // namespace ropelm
