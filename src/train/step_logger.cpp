// The training loop's reporting: interval arithmetic, metrics rows, the bar and MFU.
#include "train/step_logger.h"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace ropelm {

StepLogger::StepLogger(const StepLoggerOptions& options, MfuMeter mfu)
    : options_(options),
      mfu_(std::move(mfu)),
      progress_(options.first_step, options.total_steps),
      interval_start_(std::chrono::steady_clock::now()) {
  if (options_.metrics_file) metrics_.emplace(*options_.metrics_file, options_.first_step);
}

void StepLogger::log_step(const TrainingState& state, const StepResult& result, double lr,
                          int64_t step_tokens) {
  interval_tokens_ += step_tokens;
  progress_.tick(state.step, step_tokens);
  if (state.step % options_.log_interval == 0 || state.step == options_.total_steps)
    log_interval_row(state, result, lr);
}

void StepLogger::log_interval_row(const TrainingState& state, const StepResult& result, double lr) {
  auto now = std::chrono::steady_clock::now();
  double seconds = std::chrono::duration<double>(now - interval_start_).count();
  double loss = result.loss.item<double>(), norm = result.grad_norm.item<double>();  // the step's only syncs
  double tokens_per_s = static_cast<double>(interval_tokens_) / std::max(seconds, 1e-9);
  nlohmann::json row = {{"step", state.step},
                        {"loss", loss},
                        {"lr", lr},
                        {"grad_norm", norm},
                        {"tokens_per_s", tokens_per_s},
                        {"tokens", state.tokens_seen},
                        {"elapsed_s", state.elapsed_s}};
  std::string mfu_text;
  if (mfu_.reported()) {
    std::optional<double> mfu = mfu_.utilisation(tokens_per_s);
    row["mfu"] = mfu ? nlohmann::json(*mfu) : nlohmann::json("unknown");
    mfu_text = mfu ? fmt::format("MFU {:.1f}%", 100 * *mfu) : "MFU unknown";
  }
  if (metrics_) metrics_->write(row);
  progress_.report(state.step, loss, lr, tokens_per_s, norm, mfu_text);
  interval_tokens_ = 0;
  interval_start_ = now;
}

void StepLogger::log_validation(const TrainingState& state, double val_loss, int64_t tokens_scored) {
  if (!metrics_) return;  // rank 0 reports
  metrics_->write({{"step", state.step},
                   {"val_loss", val_loss},
                   {"val_ppl", std::exp(val_loss)},
                   {"tokens", state.tokens_seen},
                   {"elapsed_s", state.elapsed_s}});
  spdlog::info("step {}: val_loss {:.4f}, val_ppl {:.2f} ({} tokens)", state.step, val_loss,
               std::exp(val_loss), tokens_scored);
}

void StepLogger::message(const std::string& text) {
  progress_.message(text);
}

void StepLogger::pause() {
  progress_.finish();
}

}  // namespace ropelm
