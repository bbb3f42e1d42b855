// `ropelm study`'s results.png: perplexity against evaluation length, one curve per position encoding, drawn
// by the same gnuplot driver as `ropelm plot`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "plot/gnuplot_input.h"

namespace ropelm {

struct LengthPoint {
  int64_t length = 0;
  std::optional<double> perplexity;  // absent: not evaluable at this length (a learned table too short)
};

struct LengthCurve {
  std::string name;  // the legend's label, e.g. "rope+yarn"
  std::vector<LengthPoint> points;
};

struct LengthPlot {
  std::vector<LengthCurve> curves;
  int64_t trained_length = 0;  // drawn as a vertical line: left of it the models saw such lengths
  std::string title;
};

// One data file per curve (`length perplexity`, NaN where absent) and a script with a log2 length axis and a
// log perplexity axis. Throws UserError for an output that is neither .png nor .svg.
GnuplotInput length_plot_input(const LengthPlot& plot, const PlotStyle& style,
                               const std::filesystem::path& output);

// Draws `plot` into `output` with gnuplot (see run_gnuplot for the errors).
void draw_length_plot(const LengthPlot& plot, const std::filesystem::path& output);

}  // namespace ropelm
