// splitmix64 + Fisher–Yates: the deterministic epoch shuffle.
#include "data/permutation.h"

#include <limits>
#include <numeric>
#include <string>
#include <utility>

#include "util/error.h"

namespace ropelm {

uint64_t SplitMix64::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t SplitMix64::below(uint64_t bound) {
  // Multiply-shift maps a 64-bit draw onto [0, bound); redraw the few values that would favour low results.
  unsigned __int128 product = static_cast<unsigned __int128>(next()) * bound;
  auto low = static_cast<uint64_t>(product);
  if (low < bound) {
    uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<unsigned __int128>(next()) * bound;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

std::vector<uint32_t> epoch_permutation(int64_t n, uint64_t seed, int64_t epoch) {
  if (n < 0 || n > std::numeric_limits<uint32_t>::max()) {
    throw UserError("a split has " + std::to_string(n) +
                    " windows; at most 2^32 - 1 are supported (raise data.stride)");
  }
  std::vector<uint32_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0u);
  // Mix the epoch through one splitmix64 step so that neighbouring (seed, epoch) pairs give unrelated
  // streams.
  SplitMix64 mixer(seed ^ (static_cast<uint64_t>(epoch) * 0xD1B54A32D192ED03ULL));
  SplitMix64 rng(mixer.next());
  for (int64_t i = n - 1; i > 0; --i) {
    auto j = static_cast<int64_t>(rng.below(static_cast<uint64_t>(i) + 1));
    std::swap(order[i], order[j]);
  }
  return order;
}

}  // namespace ropelm
