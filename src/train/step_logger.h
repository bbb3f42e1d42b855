// What the training loop reports, and when: the progress bar every step; every train.log_interval steps (and
// at the last) a log line and a metrics.jsonl row with the loss, lr, gradient norm, tokens/s over the
// interval and MFU on GPUs; a row and a line per validation. Only rank 0 writes metrics.jsonl.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "run/training_state.h"
#include "train/metrics_log.h"
#include "train/mfu.h"
#include "train/progress.h"
#include "train/train_step.h"

namespace ropelm {

struct StepLoggerOptions {
  std::optional<std::filesystem::path> metrics_file;  // rank 0: run_dir/metrics.jsonl; other ranks: none
  int64_t first_step = 0;  // the step the run starts (or resumes) at: rows after it are dropped from the file
  int64_t total_steps = 0;
  int64_t log_interval = 1;
};

class StepLogger {
 public:
  StepLogger(const StepLoggerOptions& options, MfuMeter mfu);

  // After each step (state already counts it): redraws the bar; at a log step, the line and the row.
  void log_step(const TrainingState& state, const StepResult& result, double lr, int64_t step_tokens);
  // A validation at state.step: its row and line.
  void log_validation(const TrainingState& state, double val_loss, int64_t tokens_scored);
  // Any other message; the bar is cleared first so that the two don't mix.
  void message(const std::string& text);
  // Ends the bar's line before other output (evaluation, checkpoints, samples, the end of the run).
  void pause();

 private:
  void log_interval_row(const TrainingState& state, const StepResult& result, double lr);

  StepLoggerOptions options_;
  MfuMeter mfu_;
  Progress progress_;
  std::optional<MetricsLog> metrics_;
  int64_t interval_tokens_ = 0;  // training tokens since the last log step, and the time they took
  std::chrono::steady_clock::time_point interval_start_;
};

}  // namespace ropelm
