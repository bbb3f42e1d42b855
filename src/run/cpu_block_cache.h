// A cache of freed CPU tensor memory in front of LibTorch's CPU allocator, so each training step reuses the
// pages that the previous step already faulted in.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ropelm {

struct CpuBlockCacheStats {
  size_t cached_bytes = 0;  // freed blocks held for reuse
  int64_t reused = 0;       // allocations served from the cache
  int64_t fresh = 0;        // cacheable allocations that needed new memory
};

// Installs, for the rest of the process, a CPU allocator that keeps freed blocks of 64 KiB or more (up to
// max_cached_bytes in all) and serves later requests of the same size, up to 1/8 smaller, from them.
// Why: LibTorch allocates every tensor with posix_memalign; glibc maps blocks above 32 MiB afresh and unmaps
// them on free, and a freed heap block is a few bytes short of the next aligned request of the same size, so
// a step's large buffers (logits and their gradient: 125 MB each for a d128 model at batch 16 × context 64
// with bert's 30,522-entry vocabulary) land on new pages every step. mallopt (no mmap, no trim) does not
// help: the page faults stay the same. Measured on that model (2 cores): ~130k page faults a step (0.5 GB)
// gone, step 440 → 277 ms (docs/libtorch-notes.md#fresh-pages). Call once at start-up, before training; later
// calls change nothing. Tensors allocated before it are freed by the allocator that made them. The cached
// blocks stay resident until exit.
void install_cpu_block_cache(size_t max_cached_bytes = size_t{4} << 30);

// Counters of the installed cache (all zero when none is installed).
CpuBlockCacheStats cpu_block_cache_stats();

}  // namespace ropelm
