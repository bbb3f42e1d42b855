// Window ids → int64 rows, one widening copy per row.
#include "data/window_rows.h"

namespace ropelm {
namespace {

// The shape, checked against the split before any window is cut.
const WindowShape& checked(const WindowShape& shape, int64_t num_tokens, const char* split_name) {
  shape.validate();
  require_windows(num_tokens, shape, split_name);
  return shape;
}

}  // namespace

WindowRows::WindowRows(TokenView tokens, const WindowShape& shape, const char* split_name)
    : tokens_(tokens),
      shape_(checked(shape, tokens.size(), split_name)),
      num_windows_(window_count(tokens.size(), shape)) {}

void WindowRows::copy_rows(std::span<const int64_t> windows, int64_t* inputs, int64_t* targets) const {
  const int64_t T = shape_.context_length;
  for (size_t row = 0; row < windows.size(); ++row) {
    int64_t start = window_start(windows[row], shape_);
    tokens_.copy_to(start, T, inputs + static_cast<int64_t>(row) * T);
    tokens_.copy_to(start + 1, T, targets + static_cast<int64_t>(row) * T);
  }
}

}  // namespace ropelm
