// The CPU block cache: freed blocks kept in a size-ordered multimap, handed out again under one mutex.
#include "run/cpu_block_cache.h"

#include <c10/core/Allocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <map>
#include <mutex>
#include <unordered_map>

#include "util/libtorch_features.h"

namespace ropelm {
namespace {

constexpr size_t kMinCachedBytes = 64 << 10;  // smaller blocks come from glibc's bins without page faults
constexpr size_t kPageBytes = 4096;

class CpuBlockCache final : public c10::Allocator {
 public:
  explicit CpuBlockCache(size_t max_cached_bytes) : max_cached_bytes_(max_cached_bytes) {}

#if ROPELM_HAS_ALLOCATOR_COPY_DATA
  c10::DataPtr allocate(size_t bytes) override {
    return allocate_block(bytes);
  }
  void copy_data(void* dest, const void* src, std::size_t count) const override {
    default_copy_data(dest, src, count);
  }
#else
  c10::DataPtr allocate(size_t bytes) const override {
    return allocate_block(bytes);
  }
#endif

  c10::DeleterFnPtr raw_deleter() const override {
    return &release;
  }

  CpuBlockCacheStats stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

 private:
  // One deleter for every block, since raw allocations (raw_deleter) come back as a bare pointer: blocks of
  // the cache are found in live_, the rest are small ones from c10::alloc_cpu.
  static void release(void* data);

  c10::DataPtr allocate_block(size_t bytes) const {
    void* data = bytes < kMinCachedBytes ? c10::alloc_cpu(bytes) : take(bytes);
    return {data, data, &release, c10::Device(c10::kCPU)};
  }

  void* take(size_t bytes) const {
    const size_t capacity = (bytes + kPageBytes - 1) / kPageBytes * kPageBytes;
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = free_.lower_bound(capacity);
    void* data = nullptr;
    if (found != free_.end() && found->first - found->first / 8 <= capacity) {
      data = found->second;
      stats_.cached_bytes -= found->first;
      live_.emplace(data, found->first);
      free_.erase(found);
      ++stats_.reused;
    } else {
      data = c10::alloc_cpu(capacity);
      live_.emplace(data, capacity);
      ++stats_.fresh;
    }
    return data;
  }

  void give_back(void* data) const {
    if (data == nullptr) return;
    std::unique_lock<std::mutex> lock(mutex_);
    auto live = live_.find(data);
    if (live == live_.end()) {
      lock.unlock();
      c10::free_cpu(data);
      return;
    }
    const size_t capacity = live->second;
    live_.erase(live);
    if (stats_.cached_bytes + capacity > max_cached_bytes_) {
      lock.unlock();
      c10::free_cpu(data);
      return;
    }
    free_.emplace(capacity, data);
    stats_.cached_bytes += capacity;
  }

  const size_t max_cached_bytes_;
  mutable std::mutex mutex_;
  mutable std::multimap<size_t, void*> free_;       // capacity → block
  mutable std::unordered_map<void*, size_t> live_;  // block → capacity, for blocks handed out
  mutable CpuBlockCacheStats stats_;
};

// Never destroyed: tensors may be freed during static destruction, after any destructor of ours would run.
CpuBlockCache* installed = nullptr;
std::once_flag install_once;

void CpuBlockCache::release(void* data) {
  installed->give_back(data);
}

}  // namespace

void install_cpu_block_cache(size_t max_cached_bytes) {
  std::call_once(install_once, [&] {
    installed = new CpuBlockCache(max_cached_bytes);
    // Priority above LibTorch's default CPU allocator (registered with 0).
    c10::SetAllocator(c10::DeviceType::CPU, installed, /*priority=*/1);
  });
}

CpuBlockCacheStats cpu_block_cache_stats() {
  return installed != nullptr ? installed->stats() : CpuBlockCacheStats{};
}

}  // namespace ropelm
