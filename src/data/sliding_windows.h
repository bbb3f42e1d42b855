// Sliding windows over a token stream: window k covers tokens [k·stride, k·stride + context_length].
#pragma once

#include <cstdint>

namespace ropelm {

// The shape of the windows a split is cut into. A window holds context_length + 1 tokens: the input is the
// first context_length, the target the same shifted by one (next-token prediction).
struct WindowShape {
  int64_t context_length = 0;
  int64_t stride = 0;

  // Throws UserError naming data.context_length / data.stride when either is below 1.
  void validate() const;
};

// floor((num_tokens − context_length − 1) / stride) + 1 windows, or 0 when num_tokens ≤ context_length:
// the same windows as the seed's `range(0, len(ids) - max_length, stride)`.
int64_t window_count(int64_t num_tokens, const WindowShape& shape);

// First token of window k.
inline int64_t window_start(int64_t window, const WindowShape& shape) {
  return window * shape.stride;
}

// Throws UserError when a split of num_tokens tokens holds no window, saying how many tokens it needs.
void require_windows(int64_t num_tokens, const WindowShape& shape, const char* split_name);

}  // namespace ropelm
