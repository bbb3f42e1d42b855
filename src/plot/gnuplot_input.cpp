// The data files and gnuplot script of a loss plot.
#include "plot/gnuplot_input.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "util/error.h"

namespace ropelm {
namespace {

// Tableau 10, the default cycle of matplotlib: distinguishable, and readable by most colour-blind people.
constexpr std::array<const char*, 10> kColours = {"1f77b4", "ff7f0e", "2ca02c", "d62728", "9467bd",
                                                  "8c564b", "e377c2", "7f7f7f", "bcbd22", "17becf"};

int auto_window(size_t points) {
  return std::max(1, static_cast<int>(points / 20));
}

void check_x_column(const RunMetrics& run, const std::vector<MetricsPoint>& points, PlotX x) {
  auto missing = [x](const MetricsPoint& p) {
    return (x == PlotX::kTokens && !p.tokens) || (x == PlotX::kSeconds && !p.elapsed_s);
  };
  if (std::any_of(points.begin(), points.end(), missing)) {
    throw UserError(
        fmt::format("run {}: metrics.jsonl has rows without {} (written by an older ropelm): "
                    "plot it with --x step",
                    run.name, x == PlotX::kTokens ? "tokens" : "elapsed_s"));
  }
}

DataFile data_file(std::string name, const std::vector<MetricsPoint>& points,
                   const std::vector<double>* smoothed) {
  DataFile file{std::move(name),
                "# step tokens elapsed_s loss" + std::string(smoothed ? " smoothed\n" : "\n")};
  for (size_t i = 0; i < points.size(); ++i) {
    const MetricsPoint& p = points[i];
    file.contents += fmt::format("{} {} {} {}", p.step, plot_number(p.tokens), plot_number(p.elapsed_s),
                                 plot_number(p.loss));
    file.contents += smoothed ? " " + plot_number((*smoothed)[i]) + "\n" : "\n";
  }
  return file;
}

const char* x_label(PlotX x) {
  switch (x) {
    case PlotX::kTokens:
      return "training tokens";
    case PlotX::kSeconds:
      return "training time (s)";
    case PlotX::kStep:
      break;
  }
  return "step";
}

std::string header(const PlotStyle& style, const std::filesystem::path& output) {
  std::string script = gnuplot_terminal_line(style, output) + "\n";
  script += "set output " + gnuplot_quoted(output.string()) + "\n";
  script += "set datafile missing 'NaN'\n";
  script += "set xlabel " + gnuplot_quoted(x_label(style.x)) + "\n";
  script += "set ylabel 'loss (nats per token)'\n";
  script += "set grid lc rgb '#dddddd'\n";
  script += "set key top right box opaque\n";
  if (style.x == PlotX::kTokens) script += "set format x '%.1s%c'\n";  // 1.5M: token counts stay readable
  if (style.log_y) script += "set logscale y\n";
  return script;
}

}  // namespace

std::string plot_number(std::optional<double> value) {
  return value ? fmt::format("{:.17g}", *value) : "NaN";
}

const char* plot_colour(size_t i) {
  return kColours[i % kColours.size()];
}

std::string gnuplot_terminal_line(const PlotStyle& style, const std::filesystem::path& output) {
  std::string extension = output.extension().string();
  if (extension == ".png") {
    return fmt::format("set terminal pngcairo size {},{} noenhanced font 'Sans,10' background '#ffffff'",
                       style.width, style.height);
  }
  if (extension == ".svg") {
    return fmt::format("set terminal svg size {},{} noenhanced font 'Sans,10' background '#ffffff'",
                       style.width, style.height);
  }
  throw UserError("-o " + output.string() + ": the plot's file name must end in .png or .svg");
}

std::string gnuplot_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::vector<double> moving_average(const std::vector<double>& values, int window) {
  const auto n = static_cast<int64_t>(values.size());
  const int64_t before = (window - 1) / 2, after = window / 2;
  std::vector<double> smoothed(values.size());
  for (int64_t i = 0; i < n; ++i) {
    int64_t first = std::max<int64_t>(0, i - before), last = std::min(n - 1, i + after);
    double sum = 0;
    for (int64_t j = first; j <= last; ++j) sum += values[j];
    smoothed[i] = sum / static_cast<double>(last - first + 1);
  }
  return smoothed;
}

GnuplotInput gnuplot_input(const std::vector<RunMetrics>& runs, const PlotStyle& style,
                           const std::filesystem::path& output) {
  GnuplotInput input;
  std::vector<std::string> curves;
  const int x = style.x == PlotX::kStep ? 1 : style.x == PlotX::kTokens ? 2 : 3;
  for (size_t r = 0; r < runs.size(); ++r) {
    const RunMetrics& run = runs[r];
    const char* colour = plot_colour(r);
    if (!run.train.empty()) {
      check_x_column(run, run.train, style.x);
      std::vector<double> losses;
      for (const auto& p : run.train) losses.push_back(p.loss);
      int window = style.smooth > 0 ? style.smooth : auto_window(losses.size());
      std::vector<double> smoothed = moving_average(losses, window);
      input.data.push_back(data_file(fmt::format("run{}.train.dat", r), run.train, &smoothed));
      std::string file = gnuplot_quoted(input.data.back().name);
      curves.push_back(fmt::format("{} using {}:4 with lines lw 1 lc rgb '#a0{}' notitle", file, x, colour));
      std::string title =
          window > 1 ? fmt::format("{} train (mean of {})", run.name, window) : run.name + " train";
      curves.push_back(fmt::format("{} using {}:5 with lines lw 2 lc rgb '#{}' title {}", file, x, colour,
                                   gnuplot_quoted(title)));
    }
    if (!run.val.empty()) {
      check_x_column(run, run.val, style.x);
      input.data.push_back(data_file(fmt::format("run{}.val.dat", r), run.val, nullptr));
      curves.push_back(fmt::format(
          "{} using {}:4 with linespoints lw 2 dt 2 pt 7 ps 0.9 lc rgb '#{}' title {}",
          gnuplot_quoted(input.data.back().name), x, colour, gnuplot_quoted(run.name + " validation")));
    }
  }
  input.script = header(style, output) + "plot ";
  for (size_t i = 0; i < curves.size(); ++i) input.script += (i ? ", \\\n     " : "") + curves[i];
  input.script += "\n";
  return input;
}

}  // namespace ropelm
