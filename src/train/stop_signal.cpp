// Async-signal-safe stop flag.
#include "train/stop_signal.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace ropelm {
namespace {

std::atomic<bool> stop_flag{false};

void on_signal(int signal) {
  if (signal == SIGINT && stop_flag.load()) {
    constexpr char kMessage[] = "\nsecond interrupt: aborting without a checkpoint\n";
    ssize_t ignored = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    (void)ignored;
    ::_exit(130);
  }
  stop_flag.store(true);
}

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool stop_requested() {
  return stop_flag.load();
}

void request_stop() {
  stop_flag.store(true);
}

void signal_after_vote_for_tests(int rank, int64_t step) {
  static const char* target = std::getenv("ROPELM_TEST_SIGNAL_AFTER_VOTE");
  if (target == nullptr) return;
  int target_rank = -1;
  long long target_step = -1;
  if (std::sscanf(target, "%d:%lld", &target_rank, &target_step) == 2 && target_rank == rank &&
      target_step == step)
    std::raise(SIGTERM);
}

}  // namespace ropelm
