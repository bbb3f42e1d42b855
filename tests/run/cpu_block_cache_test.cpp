// The CPU block cache hands a freed large block to the next tensor of the same size, and leaves small ones.
#include <gtest/gtest.h>

#include "run/cpu_block_cache.h"

namespace ropelm {
namespace {

TEST(CpuBlockCache, ReusesAFreedLargeBlock) {
  install_cpu_block_cache();
  constexpr int64_t kSize = 1234567;  // 4.9 MB: a size no other test of this binary frees
  void* first = nullptr;
  {
    auto tensor = torch::ones({kSize});
    first = tensor.data_ptr();
  }
  const auto before = cpu_block_cache_stats();
  EXPECT_GE(before.cached_bytes, static_cast<size_t>(kSize) * 4);
  {
    auto again = torch::zeros({kSize});
    EXPECT_EQ(again.data_ptr(), first);
    EXPECT_EQ(again.count_nonzero().item<int64_t>(), 0);  // reused memory is written like fresh memory
  }
  EXPECT_EQ(cpu_block_cache_stats().reused, before.reused + 1);
  auto slightly_smaller = torch::empty({kSize - 50000});  // within 1/8 of the cached block
  EXPECT_EQ(slightly_smaller.data_ptr(), first);
  auto much_smaller = torch::empty({kSize / 4});  // a quarter: gets a block of its own
  EXPECT_NE(much_smaller.data_ptr(), first);
}

TEST(CpuBlockCache, SmallBlocksBypassTheCache) {
  install_cpu_block_cache();
  const auto before = cpu_block_cache_stats();
  { auto tensor = torch::ones({100}); }
  const auto after = cpu_block_cache_stats();
  EXPECT_EQ(after.reused + after.fresh, before.reused + before.fresh);
  EXPECT_EQ(after.cached_bytes, before.cached_bytes);
}

}  // namespace
}  // namespace ropelm
