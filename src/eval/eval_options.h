// Converts the run config's `eval` section into PerplexityOptions, the same for validation during training
// and for `ropelm eval` (whose flags override the result).
#pragma once

#include "config/config.h"
#include "eval/perplexity.h"

namespace ropelm {

// eval.context_length (0: data.context_length), eval.stride (0: the eval context), eval.batch_size (0:
// data.batch_size); all windows, one process.
PerplexityOptions perplexity_options(const Config& config);

}  // namespace ropelm
