// Window count and placement against a brute-force enumeration of the seed's loop.
#include <gtest/gtest.h>

#include "data/sliding_windows.h"
#include "util/error.h"

namespace ropelm {
namespace {

// The seed's `for i in range(0, len(ids) - max_length, stride)`.
int64_t brute_force_windows(int64_t n, int64_t context, int64_t stride) {
  int64_t count = 0;
  for (int64_t start = 0; start < n - context; start += stride) ++count;
  return count;
}

TEST(SlidingWindows, CountMatchesBruteForce) {
  for (int64_t context = 1; context <= 9; ++context) {
    for (int64_t stride = 1; stride <= 13; ++stride) {  // includes stride > context (gaps between windows)
      for (int64_t n = 0; n <= 70; ++n) {
        WindowShape shape{context, stride};
        ASSERT_EQ(window_count(n, shape), brute_force_windows(n, context, stride))
            << "n=" << n << " context=" << context << " stride=" << stride;
      }
    }
  }
}

TEST(SlidingWindows, LastWindowFitsAndNextDoesNot) {
  for (int64_t context = 1; context <= 6; ++context) {
    for (int64_t stride = 1; stride <= 8; ++stride) {
      for (int64_t n = context + 1; n <= 40; ++n) {
        WindowShape shape{context, stride};
        int64_t count = window_count(n, shape);
        ASSERT_LE(window_start(count - 1, shape) + context + 1,
                  n);  // input + the shifted target's last token
        ASSERT_GT(window_start(count, shape) + context + 1, n);
      }
    }
  }
}

TEST(SlidingWindows, ExactlyOneWindowAtContextPlusOne) {
  EXPECT_EQ(window_count(5, {4, 4}), 1);
  EXPECT_EQ(window_count(4, {4, 4}), 0);
  EXPECT_EQ(window_count(5, {4, 100}), 1);
}

TEST(SlidingWindows, TooShortSplitSaysHowManyTokensItNeeds) {
  try {
    require_windows(4, {4, 1}, "train");
    FAIL() << "expected UserError";
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("train split has 4 tokens but one window needs 5"),
              std::string::npos)
        << error.what();
  }
  EXPECT_NO_THROW(require_windows(5, {4, 1}, "train"));
}

TEST(SlidingWindows, ZeroContextOrStrideIsAUserError) {
  EXPECT_THROW((WindowShape{0, 1}.validate()), UserError);
  EXPECT_THROW((WindowShape{4, 0}.validate()), UserError);
  EXPECT_THROW((WindowShape{-1, 1}.validate()), UserError);
  EXPECT_NO_THROW((WindowShape{1, 1}.validate()));
}

}  // namespace
}  // namespace ropelm
