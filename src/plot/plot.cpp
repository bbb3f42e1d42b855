// Run directories → metrics → gnuplot.
#include "plot/plot.h"

#include <spdlog/spdlog.h>

#include <atomic>

#include "plot/gnuplot_runner.h"
#include "plot/run_metrics.h"
#include "util/error.h"

namespace ropelm {
namespace fs = std::filesystem;
namespace {

// The legend's name of a run: its directory as the user wrote it, without a trailing slash.
std::string run_name(const fs::path& run_dir) {
  std::string name = run_dir.string();
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  return name;
}

fs::path output_path(const PlotOptions& options) {
  if (!options.output.empty()) return options.output;
  if (options.run_dirs.size() != 1) {
    throw UserError(
        "plotting several runs needs -o FILE.png or -o FILE.svg (one run defaults to RUN_DIR/curves.png)");
  }
  return options.run_dirs.front() / "curves.png";
}

}  // namespace

fs::path plot_runs(const PlotOptions& options) {
  if (options.run_dirs.empty()) throw UserError("ropelm plot: give at least one run directory");
  fs::path output = output_path(options);
  std::vector<RunMetrics> runs;
  for (const auto& dir : options.run_dirs) runs.push_back(read_run_metrics(dir, run_name(dir)));
  run_gnuplot(runs, options.style, output);
  return output;
}

bool plot_training_curves(const fs::path& run_dir) {
  static std::atomic<bool> warned{false};
  try {
    std::vector<RunMetrics> runs = {
        read_run_metrics(run_dir, fs::path(run_name(run_dir)).filename().string())};
    run_gnuplot(runs, PlotStyle{}, run_dir / "curves.png");
    return true;
  } catch (const UserError& error) {
    if (!warned.exchange(true)) spdlog::warn("no curves.png: {}", error.what());
    return false;
  }
}

}  // namespace ropelm
