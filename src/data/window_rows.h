// The windows of one split as int64 rows: what tokens window k holds. Stateless: which windows a step takes
// is StepSampler's to decide.
#pragma once

#include <cstdint>
#include <span>

#include "data/sliding_windows.h"
#include "data/token_view.h"

namespace ropelm {

class WindowRows {
 public:
  // Throws UserError for a bad shape or a split too short for one window (saying how many tokens it needs).
  // `split_name` ("train", "val") appears in those messages. tokens must outlive the object.
  WindowRows(TokenView tokens, const WindowShape& shape, const char* split_name = "train");

  int64_t num_windows() const { return num_windows_; }
  int64_t context_length() const { return shape_.context_length; }

  // Writes the windows' input rows and target rows (the inputs shifted left by one token), each
  // (windows.size(), context_length) row-major.
  void copy_rows(std::span<const int64_t> windows, int64_t* inputs, int64_t* targets) const;

 private:
  TokenView tokens_;
  WindowShape shape_;
  int64_t num_windows_;
};

}  // namespace ropelm
