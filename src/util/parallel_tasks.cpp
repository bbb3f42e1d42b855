// A minimal work-sharing loop over std::threads.
#include "util/parallel_tasks.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace ropelm {

int resolve_thread_count(int threads) {
  if (threads > 0) return threads;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

void run_parallel(size_t count, int threads, const std::function<void(size_t)>& task) {
  std::atomic<size_t> next{0};
  std::mutex failure_mutex;
  size_t failed_task = count;
  std::exception_ptr failure;
  auto worker = [&] {
    for (size_t i = next++; i < count; i = next++) {
      try {
        task(i);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (i < failed_task) {
          failed_task = i;
          failure = std::current_exception();
        }
      }
    }
  };
  size_t thread_count = std::min(count, static_cast<size_t>(resolve_thread_count(threads)));
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < thread_count; ++t) helpers.emplace_back(worker);
  worker();
  for (std::thread& helper : helpers) helper.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace ropelm
