// `ropelm plot` and the trainer's curves.png: loss curves of one or more runs, drawn by gnuplot.
#pragma once

#include <filesystem>
#include <vector>

#include "plot/gnuplot_input.h"

namespace ropelm {

struct PlotOptions {
  std::vector<std::filesystem::path> run_dirs;  // each holds a metrics.jsonl
  std::filesystem::path output;                 // empty: RUN_DIR/curves.png (one run only)
  PlotStyle style;
};

// Draws the runs' curves and returns the file written. Throws UserError for missing metrics, a bad -o, or
// a missing or failing gnuplot.
std::filesystem::path plot_runs(const PlotOptions& options);

// The trainer's run_dir/curves.png, redrawn at every validation. A plot must never stop a training run:
// the first failure of a process is logged as a warning (a missing gnuplot would repeat at every
// validation), every failure returns false.
bool plot_training_curves(const std::filesystem::path& run_dir);

}  // namespace ropelm
