// Progress bar / log lines.
#include "train/progress.h"

#include <spdlog/fmt/fmt.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace ropelm {
namespace {

double now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::string clock_text(double seconds) {
  auto total = static_cast<int64_t>(seconds);
  return fmt::format("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
}

}  // namespace

Progress::Progress(int64_t first_step, int64_t total_steps)
    : first_step_(first_step),
      total_steps_(total_steps),
      terminal_(::isatty(STDERR_FILENO)),
      started_(now_s()) {}

void Progress::report(int64_t step, double loss, double lr, double tokens_per_s, double grad_norm,
                      const std::string& extra) {
  std::string line = fmt::format("step {}/{} | loss {:.4f} | lr {:.3e} | grad norm {:.3f} | {:.0f} tok/s",
                                 step, total_steps_, loss, lr, grad_norm, tokens_per_s);
  if (!extra.empty()) line += " | " + extra;
  if (!terminal_) {
    spdlog::info(line);
    return;
  }
  for (auto& sink : spdlog::default_logger()->sinks()) {
    if (sink.get() != spdlog::default_logger()->sinks().front().get()) {
      sink->log(spdlog::details::log_msg("ropelm", spdlog::level::info, line));
    }
  }
  double done = static_cast<double>(step - first_step_), left = static_cast<double>(total_steps_ - step);
  double eta = done > 0 ? (now_s() - started_) / done * left : 0;
  constexpr int kWidth = 24;
  int filled = static_cast<int>(kWidth * step / std::max<int64_t>(1, total_steps_));
  std::fprintf(stderr, "\r\033[K[%s%s] %s | ETA %s", std::string(filled, '#').c_str(),
               std::string(kWidth - filled, '.').c_str(), line.c_str(), clock_text(eta).c_str());
  std::fflush(stderr);
  bar_shown_ = true;
}

void Progress::message(const std::string& text) {
  if (bar_shown_) std::fprintf(stderr, "\r\033[K");
  bar_shown_ = false;
  spdlog::info(text);
}

void Progress::finish() {
  if (bar_shown_) std::fprintf(stderr, "\n");
  bar_shown_ = false;
}

}  // namespace ropelm
