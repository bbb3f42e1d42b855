// What `ropelm plot` hands gnuplot: one data file per curve and a script that draws them (a pure function of
// the runs and the options, so that tests can check the data against metrics.jsonl).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "plot/run_metrics.h"

namespace ropelm {

enum class PlotX { kStep, kTokens, kSeconds };

struct PlotStyle {
  PlotX x = PlotX::kStep;
  int smooth = 0;  // points in the moving average of the training loss; 0: about a twentieth of the points
  bool log_y = false;
  int width = 960;  // pixels (PNG) or SVG user units
  int height = 600;
};

struct DataFile {
  std::string name;      // relative to the script's directory
  std::string contents;  // whitespace-separated columns: step tokens elapsed_s loss [smoothed loss]
};

struct GnuplotInput {
  std::vector<DataFile> data;
  std::string script;
};

// A gnuplot single-quoted string literal: the only escape is '' for '.
std::string gnuplot_quoted(const std::string& text);

// The `set terminal` line for `output` (.png: pngcairo, .svg: svg) at the style's size; throws UserError for
// another extension.
std::string gnuplot_terminal_line(const PlotStyle& style, const std::filesystem::path& output);

// The colour (hex RGB) of the i-th curve or run: Tableau 10, repeating.
const char* plot_colour(size_t i);

// Exact round trip of a double through text; "NaN" (gnuplot's missing value in these plots) when absent.
std::string plot_number(std::optional<double> value);

// The training loss smoothed by a centred moving average of `window` points (fewer at the ends).
std::vector<double> moving_average(const std::vector<double>& values, int window);

// Draws every run's training loss (faint raw, and smoothed) and validation loss, one colour per run, into
// `output` (.png: pngcairo, .svg: svg). Throws UserError when the x axis asks for a column some run lacks.
GnuplotInput gnuplot_input(const std::vector<RunMetrics>& runs, const PlotStyle& style,
                           const std::filesystem::path& output);

}  // namespace ropelm
