// Runs Debian's gnuplot (package gnuplot-nox) on a prepared script and data files.
#pragma once

#include <filesystem>
#include <functional>

#include "plot/gnuplot_input.h"

namespace ropelm {

// Writes the data files and script into a fresh temporary directory, runs `gnuplot` there and moves the
// image it drew to `output` atomically (readers never see half an image). Throws UserError when gnuplot is
// not installed (naming the package) or fails (with its first error line).
void run_gnuplot(const std::vector<RunMetrics>& runs, const PlotStyle& style,
                 const std::filesystem::path& output);

// The same for any plot: `input_for` gets the path gnuplot must draw into (inside the scratch directory).
void run_gnuplot(const std::function<GnuplotInput(const std::filesystem::path& drawn)>& input_for,
                 const std::filesystem::path& output);

}  // namespace ropelm
