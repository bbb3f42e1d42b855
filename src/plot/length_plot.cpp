// Perplexity-against-length curves as gnuplot data and script.
#include "plot/length_plot.h"

#include <fmt/format.h>

#include "plot/gnuplot_runner.h"

namespace ropelm {

GnuplotInput length_plot_input(const LengthPlot& plot, const PlotStyle& style,
                               const std::filesystem::path& output) {
  GnuplotInput input;
  std::string script = gnuplot_terminal_line(style, output) + "\n";
  script += "set output " + gnuplot_quoted(output.string()) + "\n";
  script += "set datafile missing 'NaN'\n";
  if (!plot.title.empty()) script += "set title " + gnuplot_quoted(plot.title) + "\n";
  script += "set xlabel 'evaluation length (tokens)'\n";
  script += "set ylabel 'perplexity'\n";
  script += "set logscale x 2\n";
  script += "set logscale y\n";
  script += "set grid lc rgb '#dddddd'\n";
  script += "set key bottom right box opaque\n";  // curves rise to the right: the bottom right stays free
  script += "set offsets graph 0.03, graph 0.03, 0, 0\n";  // the first and last lengths off the frame
  if (plot.trained_length > 0) {
    script += fmt::format(
        "set arrow from {0}, graph 0 to {0}, graph 1 nohead dt 3 lc rgb '#888888'\n"
        "set label 'training length' at {0}, graph 0.97 offset 0.5, 0 tc rgb '#888888'\n",
        plot.trained_length);
  }
  std::vector<std::string> curves;
  for (size_t c = 0; c < plot.curves.size(); ++c) {
    const LengthCurve& curve = plot.curves[c];
    DataFile file{fmt::format("curve{}.dat", c), "# length perplexity\n"};
    for (const auto& point : curve.points)
      file.contents += fmt::format("{} {}\n", point.length, plot_number(point.perplexity));
    curves.push_back(fmt::format("{} using 1:2 with linespoints lw 2 pt 7 ps 0.8 lc rgb '#{}' title {}",
                                 gnuplot_quoted(file.name), plot_colour(c), gnuplot_quoted(curve.name)));
    input.data.push_back(std::move(file));
  }
  script += "plot ";
  for (size_t i = 0; i < curves.size(); ++i) script += (i ? ", \\\n     " : "") + curves[i];
  input.script = script + "\n";
  return input;
}

void draw_length_plot(const LengthPlot& plot, const std::filesystem::path& output) {
  run_gnuplot([&](const std::filesystem::path& drawn) { return length_plot_input(plot, PlotStyle{}, drawn); },
              output);
}

}  // namespace ropelm
