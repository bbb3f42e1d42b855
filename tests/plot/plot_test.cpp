// ropelm plot: the data handed to gnuplot equals metrics.jsonl (parsed here on its own), the moving average
// against a hand computation, the image is a real PNG/SVG of the requested size, and the errors a user meets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <random>
#include <sstream>

#include "plot/gnuplot_input.h"
#include "plot/plot.h"
#include "plot/run_metrics.h"
#include "support/temp_dir.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace ropelm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_text;

// A metrics.jsonl as the trainer writes it: a row per logged step, a validation row every 4 steps; the old
// format (validation rows without tokens and elapsed_s) when `old_format`.
std::string metrics_text(uint32_t seed, bool old_format = false) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> noise(0, 0.3);
  std::string text;
  for (int step = 1; step <= 40; ++step) {
    double loss = 5.0 / (1 + 0.1 * step) + noise(rng), elapsed = 0.0123456789 * step;
    nlohmann::json row = {{"step", step},        {"loss", loss},           {"lr", 1e-3},
                          {"grad_norm", 0.5},    {"tokens_per_s", 1234.5}, {"tokens", 768 * step},
                          {"elapsed_s", elapsed}};
    text += row.dump() + "\n";
    if (step % 4 == 0) {
      nlohmann::json val = {{"step", step}, {"val_loss", loss + 0.1}, {"val_ppl", std::exp(loss + 0.1)}};
      if (!old_format) val.update({{"tokens", 768 * step}, {"elapsed_s", elapsed}});
      text += val.dump() + "\n";
    }
  }
  return text;
}

// The numbers of a data file, row by row ("NaN" for a missing value).
std::vector<std::vector<double>> columns_of(const std::string& contents) {
  std::vector<std::vector<double>> rows;
  std::istringstream lines(contents);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::vector<double> row;
    for (std::string field; fields >> field;) row.push_back(std::strtod(field.c_str(), nullptr));
    rows.push_back(row);
  }
  return rows;
}

const DataFile& file_named(const GnuplotInput& input, const std::string& name) {
  for (const auto& file : input.data) {
    if (file.name == name) return file;
  }
  throw std::runtime_error("no data file " + name);
}

TEST(Plot, TheDataHandedToGnuplotIsExactlyMetricsJsonl) {
  TempDir dir;
  write_text(dir / "run/metrics.jsonl", metrics_text(1));
  GnuplotInput input = gnuplot_input({read_run_metrics(dir / "run", "run")}, PlotStyle{}, dir / "out.png");
  auto train = columns_of(file_named(input, "run0.train.dat").contents);
  auto val = columns_of(file_named(input, "run0.val.dat").contents);
  size_t t = 0, v = 0;
  std::istringstream lines(metrics_text(1));
  for (std::string line; std::getline(lines, line);) {
    auto row = nlohmann::json::parse(line);
    bool is_val = row.contains("val_loss");
    const std::vector<double>& got = is_val ? val.at(v++) : train.at(t++);
    EXPECT_EQ(got[0], row["step"].get<double>());
    EXPECT_EQ(got[1], row["tokens"].get<double>());
    EXPECT_EQ(got[2], row["elapsed_s"].get<double>());
    EXPECT_EQ(got[3], row[is_val ? "val_loss" : "loss"].get<double>());  // bitwise: printed with 17 digits
  }
  EXPECT_EQ(t, train.size());
  EXPECT_EQ(v, val.size());
  EXPECT_EQ(v, 10u);
  EXPECT_THAT(input.script, HasSubstr("'run train (mean of 2)'"));  // 40 points: a twentieth
  EXPECT_THAT(input.script, HasSubstr("'run validation'"));
  EXPECT_THAT(input.script, HasSubstr("set ylabel 'loss (nats per token)'"));
}

TEST(Plot, TheSmoothedColumnIsACentredMovingAverage) {
  EXPECT_EQ(moving_average({1, 2, 3, 4, 5}, 1), (std::vector<double>{1, 2, 3, 4, 5}));
  // window 3: (1+2)/2, (1+2+3)/3, (2+3+4)/3, (3+4+5)/3, (4+5)/2
  EXPECT_EQ(moving_average({1, 2, 3, 4, 5}, 3), (std::vector<double>{1.5, 2, 3, 4, 4.5}));
  // window 2 leans forward: (1+2)/2, (2+3)/2, ..., 5
  EXPECT_EQ(moving_average({1, 2, 3, 4, 5}, 2), (std::vector<double>{1.5, 2.5, 3.5, 4.5, 5}));
  TempDir dir;
  write_text(dir / "run/metrics.jsonl", metrics_text(2));
  PlotStyle style;
  style.smooth = 5;
  GnuplotInput input = gnuplot_input({read_run_metrics(dir / "run", "r")}, style, dir / "out.png");
  auto train = columns_of(file_named(input, "run0.train.dat").contents);
  std::vector<double> losses;
  for (const auto& row : train) losses.push_back(row[3]);
  std::vector<double> expected = moving_average(losses, 5);
  for (size_t i = 0; i < train.size(); ++i) EXPECT_EQ(train[i][4], expected[i]);
}

TEST(Plot, OldMetricsPlotBySteps_ButNotByTokens) {
  TempDir dir;
  write_text(dir / "old/metrics.jsonl", metrics_text(3, /*old_format=*/true));
  RunMetrics run = read_run_metrics(dir / "old", "old");
  EXPECT_NO_THROW(gnuplot_input({run}, PlotStyle{}, dir / "a.png"));
  PlotStyle by_tokens;
  by_tokens.x = PlotX::kTokens;
  try {
    gnuplot_input({run}, by_tokens, dir / "a.png");
    ADD_FAILURE() << "no UserError";
  } catch (const UserError& error) {
    EXPECT_THAT(error.what(), HasSubstr("--x step"));
  }
}

// Width and height from the PNG's IHDR chunk (big-endian, right after the 8-byte signature and chunk header).
std::pair<uint32_t, uint32_t> png_size(const std::string& bytes) {
  auto be32 = [&](size_t at) {
    uint32_t value = 0;
    for (size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<unsigned char>(bytes.at(at + i));
    return value;
  };
  return {be32(16), be32(20)};
}

TEST(Plot, WritesAPngOfTheRequestedSizeIntoTheRunDir) {
  TempDir dir;
  write_text(dir / "tiny/metrics.jsonl", metrics_text(4));
  PlotOptions options;
  options.run_dirs = {dir / "tiny"};
  options.style.width = 640;
  options.style.height = 400;
  fs::path written = plot_runs(options);
  EXPECT_EQ(written, dir / "tiny" / "curves.png");
  std::string png = read_file(written);
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(png_size(png), (std::pair<uint32_t, uint32_t>{640, 400}));
}

TEST(Plot, SeveralRunsGoIntoOneSvgWithBothNamesInTheLegend) {
  TempDir dir;
  write_text(dir / "a/metrics.jsonl", metrics_text(5));
  write_text(dir / "b/metrics.jsonl", metrics_text(6));
  PlotOptions options;
  options.run_dirs = {dir / "a", dir / "b"};
  EXPECT_THROW(plot_runs(options), UserError);  // several runs need -o
  options.output = dir / "cmp.svg";
  options.style.x = PlotX::kTokens;
  plot_runs(options);
  std::string svg = read_file(dir / "cmp.svg");
  EXPECT_THAT(svg, HasSubstr("<svg"));
  EXPECT_THAT(svg, HasSubstr("width=\"960\""));
  EXPECT_THAT(svg, HasSubstr((dir / "a").string() + " validation"));
  EXPECT_THAT(svg, HasSubstr((dir / "b").string() + " validation"));
  EXPECT_THAT(svg, HasSubstr("training tokens"));
}

TEST(Plot, WithoutGnuplotOneLineNamesThePackage) {
  TempDir dir;
  write_text(dir / "run/metrics.jsonl", metrics_text(7));
  std::string path = std::getenv("PATH");
  ::setenv("PATH", dir.path().c_str(), 1);
  PlotOptions options;
  options.run_dirs = {dir / "run"};
  try {
    plot_runs(options);
    ADD_FAILURE() << "no UserError";
  } catch (const UserError& error) {
    EXPECT_THAT(error.what(), HasSubstr("apt-get install gnuplot-nox"));
  }
  EXPECT_FALSE(plot_training_curves(dir / "run"));  // the trainer's variant does not throw
  ::setenv("PATH", path.c_str(), 1);
  EXPECT_FALSE(fs::exists(dir / "run" / "curves.png"));
}

TEST(Plot, BadOutputsAndMissingMetricsAreUserErrors) {
  TempDir dir;
  write_text(dir / "run/metrics.jsonl", metrics_text(8));
  PlotOptions options;
  options.run_dirs = {dir / "run"};
  options.output = dir / "curves.jpg";
  EXPECT_THROW(plot_runs(options), UserError);
  options.run_dirs = {dir / "missing"};
  options.output.clear();
  EXPECT_THROW(plot_runs(options), UserError);
}

}  // namespace
}  // namespace ropelm
