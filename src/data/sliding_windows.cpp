// Window arithmetic and the checks that a split can be cut into windows at all.
#include "data/sliding_windows.h"

#include <string>

#include "util/error.h"

namespace ropelm {

void WindowShape::validate() const {
  if (context_length < 1) {
    throw UserError("data.context_length must be at least 1 (got " + std::to_string(context_length) + ")");
  }
  if (stride < 1) throw UserError("data.stride must be at least 1 (got " + std::to_string(stride) + ")");
}

int64_t window_count(int64_t num_tokens, const WindowShape& shape) {
  if (num_tokens <= shape.context_length) return 0;
  return (num_tokens - shape.context_length - 1) / shape.stride + 1;
}

void require_windows(int64_t num_tokens, const WindowShape& shape, const char* split_name) {
  if (window_count(num_tokens, shape) > 0) return;
  throw UserError(std::string("the ") + split_name + " split has " + std::to_string(num_tokens) +
                  " tokens but one window needs " + std::to_string(shape.context_length + 1) +
                  " (data.context_length + 1): add text or lower data.context_length");
}

}  // namespace ropelm
