// Console progress: a live bar (step, loss, lr, tokens/s, ETA) on a terminal, plain log lines otherwise.
#pragma once

#include <cstdint>
#include <string>

namespace ropelm {

class Progress {
 public:
  Progress(int64_t first_step, int64_t total_steps);
  // One logged step; `extra` (e.g. "MFU 41.0%"), when not empty, ends the line. The line also goes to
  // train.log.
  void report(int64_t step, double loss, double lr, double tokens_per_s, double grad_norm,
              const std::string& extra = "");
  // Any other message (eval, checkpoint): clears the bar first so that the two don't mix.
  void message(const std::string& text);
  void finish();

 private:
  int64_t first_step_, total_steps_;
  bool terminal_;
  bool bar_shown_ = false;
  double started_;
};

}  // namespace ropelm
