// Async-signal-safe stop flag.
#include "train/stop_signal.h"

#include <unistd.h>

#include <atomic>
#include <csignal>

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

}  // namespace ropelm
