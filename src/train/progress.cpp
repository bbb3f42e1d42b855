// Progress bar / log lines.
#include "train/progress.h"

#include <spdlog/fmt/fmt.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

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

constexpr size_t kMinBar = 10;  // "[########]" narrower than this says nothing

}  // namespace

std::string fit_bar_line(const BarFields& bar, int width) {
  // The last column stays empty: writing it makes some terminals wrap, and the next \r redraws one line
  // too low.
  const size_t room = static_cast<size_t>(std::max(1, width - 1));
  std::string line = fmt::format("step {}/{}", bar.step, bar.total_steps);
  for (const std::string& field : bar.fields) {
    if (line.size() + 3 + field.size() > room) break;
    line += " | " + field;
  }
  if (line.size() > room) line.resize(room);
  if (line.size() + 1 + kMinBar <= room) {
    const size_t inner = std::min<size_t>(room - line.size() - 1 - 2, 30);
    const auto filled = static_cast<size_t>(static_cast<double>(inner) * static_cast<double>(bar.step) /
                                            static_cast<double>(std::max<int64_t>(1, bar.total_steps)));
    const size_t done = std::min(filled, inner);
    line = "[" + std::string(done, '#') + std::string(inner - done, '.') + "] " + line;
  }
  return line;
}

int terminal_columns() {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    int value = std::atoi(columns);
    if (value > 0) return value;
  }
  return 80;
}

Progress::Progress(int64_t first_step, int64_t total_steps)
    : first_step_(first_step),
      total_steps_(total_steps),
      terminal_(::isatty(STDERR_FILENO)),
      started_(now_s()) {
  if (terminal_) draw(first_step_);
}

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
  reported_ = {fmt::format("loss {:.4f}", loss), fmt::format("lr {:.2e}", lr),
               fmt::format("grad norm {:.3f}", grad_norm)};
  if (!extra.empty()) reported_.push_back(extra);
  draw(step);
}

void Progress::tick(int64_t step, int64_t tokens) {
  tokens_ += tokens;
  if (terminal_) draw(step);
}

void Progress::draw(int64_t step) {
  const double elapsed = now_s() - started_;
  const double done = static_cast<double>(step - first_step_),
               left = static_cast<double>(total_steps_ - step);
  BarFields bar{step, total_steps_, {}};
  // Loss, then speed and ETA (what one watches a run for), then the rest of the last report.
  if (!reported_.empty()) bar.fields.push_back(reported_.front());
  bar.fields.push_back(elapsed > 0 && tokens_ > 0 ? fmt::format("{:.0f} tok/s", tokens_ / elapsed)
                                                  : "- tok/s");
  bar.fields.push_back(done > 0 ? "ETA " + clock_text(elapsed / done * left) : "ETA -");
  for (size_t i = 1; i < reported_.size(); ++i) bar.fields.push_back(reported_[i]);
  std::fprintf(stderr, "\r\033[K%s", fit_bar_line(bar, terminal_columns()).c_str());
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
