// `ropelm plot RUN_DIR... [-o FILE]`: training and validation loss curves of runs, drawn by gnuplot.
#include <iostream>

#include "cli/command.h"
#include "plot/plot.h"
#include "util/error.h"

namespace ropelm::cli {
namespace {

struct PlotArgs {
  std::vector<std::string> run_dirs;
  std::string output;
  std::string x = "step";
  std::string size = "960x600";
  int smooth = 0;
  bool log_y = false;
};

PlotX plot_x(const std::string& name) {
  if (name == "tokens") return PlotX::kTokens;
  if (name == "seconds") return PlotX::kSeconds;
  return PlotX::kStep;
}

// "960x600" → width, height; throws UserError naming --size.
void parse_size(const std::string& text, PlotStyle& style) {
  size_t x = text.find('x');
  try {
    size_t end_w = 0, end_h = 0;
    style.width = std::stoi(text.substr(0, x), &end_w);
    style.height = std::stoi(text.substr(x + 1), &end_h);
    if (x == std::string::npos || end_w != x || end_h != text.size() - x - 1) throw std::invalid_argument("");
  } catch (const std::logic_error&) {
    throw UserError("--size " + text + ": give WIDTHxHEIGHT in pixels, for example 960x600");
  }
  if (style.width < 100 || style.height < 100 || style.width > 10000 || style.height > 10000) {
    throw UserError("--size " + text + ": width and height must be between 100 and 10000 pixels");
  }
}

void run_plot(const PlotArgs& args) {
  PlotOptions options;
  options.run_dirs.assign(args.run_dirs.begin(), args.run_dirs.end());
  options.output = args.output;
  options.style.x = plot_x(args.x);
  options.style.smooth = args.smooth;
  options.style.log_y = args.log_y;
  parse_size(args.size, options.style);
  std::cout << plot_runs(options).string() << "\n";
}

void setup_plot(CLI::App& app, const GlobalOptions&) {
  auto args = std::make_shared<PlotArgs>();
  CLI::App* command =
      app.add_subcommand("plot", "draw the training and validation loss of runs (PNG or SVG, with gnuplot)");
  command->add_option("run_dirs", args->run_dirs, "run directories (each with a metrics.jsonl)")->required();
  command->add_option("-o,--output", args->output,
                      "FILE.png or FILE.svg (default: RUN_DIR/curves.png; required for several runs)");
  command->add_option("--x", args->x, "x axis: step | tokens (training tokens) | seconds (training time)")
      ->capture_default_str()
      ->check(CLI::IsMember({"step", "tokens", "seconds"}));
  command
      ->add_option("--smooth", args->smooth,
                   "points in the moving average of the training loss (0 = a twentieth of them)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--log-y", args->log_y, "logarithmic loss axis");
  command->add_option("--size", args->size, "WIDTHxHEIGHT of the image")->capture_default_str();
  command->callback([args] { run_plot(*args); });
}

const bool registered = register_command({"plot", setup_plot});

}  // namespace
}  // namespace ropelm::cli
