// The per-epoch shuffle: a permutation of the windows that is a pure function of (seed, epoch).
#pragma once

#include <cstdint>
#include <vector>

namespace ropelm {

// splitmix64 (Steele, Lea & Flood 2014, as in Vigna's xoshiro reference code): a tiny generator whose output
// is fixed by its arithmetic, unlike std:: distributions, whose results differ between standard libraries.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next();
  // Uniform in [0, bound) without modulo bias (Lemire 2019, "Fast random integer generation in an interval").
  uint64_t below(uint64_t bound);

 private:
  uint64_t state_;
};

// Fisher–Yates over [0, n) driven by SplitMix64 seeded from (seed, epoch): every process, library and machine
// computes the same order. Indices are uint32 to halve the memory (a split has < 2^32 windows; checked).
std::vector<uint32_t> epoch_permutation(int64_t n, uint64_t seed, int64_t epoch);

}  // namespace ropelm
