// The progress bar under a pseudo-terminal of 80 columns (util-linux `script` provides it): one line redrawn
// in place at every step from step 0, never wider than the terminal, with tokens/s and ETA in view.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "cli_runner.h"

namespace ropelm::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// The pieces of terminal output between carriage returns and newlines, colour and clear-line codes removed.
std::vector<std::string> screen_lines(const std::string& output) {
  std::string plain = std::regex_replace(output, std::regex("\033\\[[0-9;]*[A-Za-z]"), "");
  std::vector<std::string> lines;
  std::string line;
  for (char c : plain) {
    if (c == '\r' || c == '\n') {
      if (!line.empty()) lines.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

TEST(ProgressTty, OneLineRedrawnEveryStepWithinEightyColumns) {
  fs::path run = fresh_dir("ropelm_tty_test", "run");
  fs::path typescript = fresh_dir("ropelm_tty_test", "out.txt");
  std::string train =
      std::string("'") + ROPELM_BIN +
      "' train --config tests/fixtures/cli/train_tiny.toml --set train.log_interval=8 --run-dir " +
      run.string();
  // -e: script exits with the command's code; -q: no banner. stty sets the pty's size, which TIOCGWINSZ
  // reads.
  std::string command = std::string("cd '") + ROPELM_SOURCE_DIR +
                        "' && script -qec \"stty cols 80 rows 24; " + train + "\" /dev/null </dev/null >'" +
                        typescript.string() + "' 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << slurp(typescript);
  // The bar's lines, not the log's ("[12:34:56] [info] ...").
  const std::regex bar_line("^(\\[[#.]+\\] )?step \\d+/24( \\|.*)?$"),
      log_line("^\\[\\d\\d:\\d\\d:\\d\\d\\]");
  std::vector<std::string> bars;
  for (const std::string& line : screen_lines(slurp(typescript))) {
    if (std::regex_search(line, bar_line) && !std::regex_search(line, log_line)) bars.push_back(line);
  }
  ASSERT_FALSE(bars.empty()) << slurp(typescript);
  for (const std::string& bar : bars) EXPECT_LT(bar.size(), 80u) << bar;
  EXPECT_THAT(bars.front(), HasSubstr("step 0/24"));
  EXPECT_GE(bars.size(), 25u) << "a redraw at step 0 and after each of the 24 steps";
  EXPECT_TRUE(std::any_of(bars.begin(), bars.end(), [](const std::string& bar) {
    return bar.find("tok/s") != std::string::npos && bar.find("ETA 0:") != std::string::npos;
  }));
}

}  // namespace
}  // namespace ropelm::test
