// Runs numbered tasks on a few std::threads, taking the next task from a shared counter.
#pragma once

#include <cstddef>
#include <functional>

namespace ropelm {

// Calls task(i) for every i in [0, count) on up to `threads` threads (<= 0: all cores). Returns when all are
// done; if tasks threw, rethrows the exception of the lowest-numbered failing task (so errors name the same
// input line whatever the thread count) after the others have finished.
void run_parallel(size_t count, int threads, const std::function<void(size_t)>& task);

// `threads` with <= 0 meaning every core the machine has.
int resolve_thread_count(int threads);

}  // namespace ropelm
