// The progress bar's line: never wider than the terminal, the bar dropped before any field, fields kept in
// order.
#include <gtest/gtest.h>

#include "train/progress.h"

namespace ropelm {
namespace {

BarFields busy_bar() {
  return {1234,
          100000,
          {"loss 10.1234", "123456 tok/s", "ETA 12:34:56", "lr 1.00e-03", "grad norm 1.234", "MFU 41.0%"}};
}

TEST(ProgressBar, FitsEveryWidthLeavingTheLastColumn) {
  for (int width = 1; width <= 200; ++width) {
    std::string line = fit_bar_line(busy_bar(), width);
    EXPECT_LE(static_cast<int>(line.size()), std::max(1, width - 1)) << width << ": " << line;
  }
}

TEST(ProgressBar, EightyColumnsShowLossSpeedAndEta) {
  std::string line = fit_bar_line(busy_bar(), 80);
  EXPECT_NE(line.find("step 1234/100000 | loss 10.1234 | 123456 tok/s | ETA 12:34:56"), std::string::npos)
      << line;
}

TEST(ProgressBar, BarShowsTheShareDoneWhenThereIsRoom) {
  std::string line = fit_bar_line({50, 100, {"loss 1.0000"}}, 200);
  EXPECT_EQ(line.rfind("[###############...............] step 50/100 | loss 1.0000", 0), 0u) << line;
  std::string narrow = fit_bar_line({50, 100, {"loss 1.0000"}}, 30);
  EXPECT_EQ(narrow, "step 50/100 | loss 1.0000") << "no room for a 10-column bar";
}

}  // namespace
}  // namespace ropelm
