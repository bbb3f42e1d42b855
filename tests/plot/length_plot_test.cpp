// The study's results.png: the data handed to gnuplot are the curves' points (NaN where a model has no
// score), the axes are logarithmic with the training length marked, and gnuplot draws a real PNG from it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "plot/length_plot.h"
#include "support/temp_dir.h"
#include "util/atomic_file.h"

namespace ropelm {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

LengthPlot two_curves() {
  LengthPlot plot;
  plot.trained_length = 64;
  plot.title = "perplexity by length";
  plot.curves = {{"alibi", {{64, 5.25}, {128, 5.0}, {256, 4.875}}},
                 {"learned", {{64, 6.5}, {128, std::nullopt}, {256, std::nullopt}}}};
  return plot;
}

TEST(LengthPlot, DataFilesHoldTheCurvesPoints) {
  GnuplotInput input = length_plot_input(two_curves(), PlotStyle{}, "out.png");
  ASSERT_EQ(input.data.size(), 2u);
  EXPECT_EQ(input.data[0].contents, "# length perplexity\n64 5.25\n128 5\n256 4.875\n");
  EXPECT_EQ(input.data[1].contents, "# length perplexity\n64 6.5\n128 NaN\n256 NaN\n");
  EXPECT_THAT(input.script, HasSubstr("set logscale x 2"));
  EXPECT_THAT(input.script, HasSubstr("set logscale y"));
  EXPECT_THAT(input.script, HasSubstr("set arrow from 64, graph 0 to 64, graph 1"));
  EXPECT_THAT(input.script, HasSubstr("'curve0.dat' using 1:2 with linespoints"));
  EXPECT_THAT(input.script, HasSubstr("title 'learned'"));
}

TEST(LengthPlot, GnuplotDrawsAPng) {
  TempDir dir;
  draw_length_plot(two_curves(), dir / "results.png");
  std::string png = read_file(dir / "results.png");
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

}  // namespace
}  // namespace ropelm
