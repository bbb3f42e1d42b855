// Console progress: a live bar (step, loss, lr, tokens/s, ETA) on a terminal, plain log lines otherwise.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ropelm {

// The fields of one bar line, most important first: fit_bar_line drops from the end what does not fit.
struct BarFields {
  int64_t step = 0, total_steps = 0;
  std::vector<std::string> fields;  // "loss 4.1234", "1,234 tok/s", "ETA 0:01:02", ...
};

// One line of at most `width` columns (ASCII only): a bar sized to the space left, "step S/N" and as many
// fields as fit, in order; the bar is dropped before any field.
std::string fit_bar_line(const BarFields& bar, int width);

// The terminal's width in columns: TIOCGWINSZ on stderr, else $COLUMNS, else 80.
int terminal_columns();

class Progress {
 public:
  // On a terminal, draws the bar at first_step at once, before the first (slowest) step.
  Progress(int64_t first_step, int64_t total_steps);
  // One logged step; `extra` (e.g. "MFU 41.0%"), when not empty, ends the line. The line also goes to
  // train.log.
  void report(int64_t step, double loss, double lr, double tokens_per_s, double grad_norm,
              const std::string& extra = "");
  // Every step (the trainer calls it after each one): on a terminal, redraws the bar in place with this
  // step, the tokens/s and ETA so far and the last reported loss; nothing otherwise.
  void tick(int64_t step, int64_t tokens);
  // Any other message (eval, checkpoint): clears the bar first so that the two don't mix.
  void message(const std::string& text);
  void finish();

 private:
  void draw(int64_t step);

  int64_t first_step_, total_steps_;
  bool terminal_;
  bool bar_shown_ = false;
  double started_;
  int64_t tokens_ = 0;                 // since started_
  std::vector<std::string> reported_;  // loss, lr, grad norm, extra of the last report
};

}  // namespace ropelm
