// The learning rate as a pure function of the step: linear warmup, then cosine | linear | constant | wsd
// decay.
#pragma once

#include <cstdint>

#include "config/config.h"

namespace ropelm {

// LR of optimizer step `step` (1-based: the first update is step 1) in a run of `total_steps` steps.
// Being a pure function of the step, a resumed run continues the schedule exactly.
double lr_at(int64_t step, int64_t total_steps, const OptimConfig& optim);

}  // namespace ropelm
