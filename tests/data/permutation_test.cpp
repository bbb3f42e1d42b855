// The epoch shuffle: a true permutation, reproducible from (seed, epoch), different across epochs.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "data/permutation.h"

namespace ropelm {
namespace {

TEST(SplitMix64, MatchesTheReferenceSequence) {
  // Published outputs of splitmix64 seeded with 1234567 (Rosetta Code "Pseudo-random numbers/Splitmix64").
  SplitMix64 rng(1234567);
  EXPECT_EQ(rng.next(), 6457827717110365317ULL);
  EXPECT_EQ(rng.next(), 3203168211198807973ULL);
  EXPECT_EQ(rng.next(), 9817491932198370423ULL);
  EXPECT_EQ(rng.next(), 4593380528125082431ULL);
  EXPECT_EQ(rng.next(), 16408922859458223821ULL);
}

TEST(SplitMix64, BelowIsInRangeAndRoughlyUniform) {
  SplitMix64 rng(7);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) {
    uint64_t value = rng.below(7);
    ASSERT_LT(value, 7u);
    ++counts[value];
  }
  for (int count : counts) EXPECT_NEAR(count, 10000, 500);
}

TEST(EpochPermutation, IsAPermutation) {
  for (int64_t n : {0, 1, 2, 17, 1000}) {
    std::vector<uint32_t> order = epoch_permutation(n, 42, 3);
    std::vector<uint32_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    std::vector<uint32_t> identity(static_cast<size_t>(n));
    std::iota(identity.begin(), identity.end(), 0u);
    EXPECT_EQ(sorted, identity) << "n=" << n;
  }
}

TEST(EpochPermutation, PureFunctionOfSeedAndEpoch) {
  EXPECT_EQ(epoch_permutation(500, 1337, 0), epoch_permutation(500, 1337, 0));
  EXPECT_NE(epoch_permutation(500, 1337, 0), epoch_permutation(500, 1337, 1));
  EXPECT_NE(epoch_permutation(500, 1337, 0), epoch_permutation(500, 1338, 0));
}

TEST(EpochPermutation, EveryPositionIsReachable) {
  // Fisher–Yates with an unbiased generator: over many epochs, element 0 lands in every slot.
  std::vector<int> seen(10, 0);
  for (int64_t epoch = 0; epoch < 2000; ++epoch) ++seen[epoch_permutation(10, 5, epoch)[0]];
  for (int count : seen) EXPECT_NEAR(count, 200, 60);
}

}  // namespace
}  // namespace ropelm
