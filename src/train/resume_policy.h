// Which config changes a resume may carry: those that keep the run exact are reported, the others refused.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace ropelm {

struct ConfigDiff {
  std::vector<std::string> breaking;  // "data.stride: 4 -> 8" — would change the batches or the model
  std::vector<std::string> allowed;   // "train.steps: 100 -> 200"
};

// Compares the checkpoint's config with the one the run was started with now.
ConfigDiff diff_for_resume(const Config& saved, const Config& now);

}  // namespace ropelm
