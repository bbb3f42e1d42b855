// The `eval` section's defaults, resolved in one place.
#include "eval/eval_options.h"

namespace ropelm {

PerplexityOptions perplexity_options(const Config& config) {
  PerplexityOptions options;
  options.context_length =
      config.eval.context_length ? config.eval.context_length : config.data.context_length;
  options.stride = config.eval.stride ? config.eval.stride : options.context_length;
  options.batch_size = config.eval.batch_size ? config.eval.batch_size : config.data.batch_size;
  return options;
}

}  // namespace ropelm
