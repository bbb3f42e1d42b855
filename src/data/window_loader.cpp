// Window ids → int64 rows, one widening copy per row.
#include "data/window_loader.h"

namespace ropelm {
namespace {

SamplerOptions sampler_options(TokenView tokens, const LoaderOptions& options, const char* split_name) {
  options.windows.validate();
  require_windows(tokens.size(), options.windows, split_name);
  return {window_count(tokens.size(), options.windows),
          options.batch_size,
          options.shuffle,
          options.drop_last,
          options.seed,
          options.rank,
          options.world_size};
}

}  // namespace

WindowLoader::WindowLoader(TokenView tokens, const LoaderOptions& options, const char* split_name)
    : tokens_(tokens), shape_(options.windows), sampler_(sampler_options(tokens, options, split_name)) {}

void WindowLoader::copy_rows(std::span<const int64_t> windows, int64_t* inputs, int64_t* targets) const {
  const int64_t T = shape_.context_length;
  for (size_t row = 0; row < windows.size(); ++row) {
    int64_t start = window_start(windows[row], shape_);
    tokens_.copy_to(start, T, inputs + static_cast<int64_t>(row) * T);
    tokens_.copy_to(start + 1, T, targets + static_cast<int64_t>(row) * T);
  }
}

}  // namespace ropelm
