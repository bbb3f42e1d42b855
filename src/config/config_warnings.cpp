// Warnings about a resolved config (legal values that silently waste or distort a run).
#include "config/config_warnings.h"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

namespace ropelm {

std::vector<std::string> config_warnings(const Config& config) {
  std::vector<std::string> warnings;
  const int64_t steps = config.train.steps, warmup = config.optim.warmup_steps;
  if (warmup >= steps) {
    warnings.push_back(fmt::format(
        "optim.warmup_steps = {} is not below train.steps = {}: the whole run is warmup (the learning rate "
        "never reaches optim.lr nor decays); lower optim.warmup_steps",
        warmup, steps));
  }
  const int64_t context = config.data.context_length, stride = config.data.stride;
  if (stride > context) {
    warnings.push_back(fmt::format(
        "data.stride = {} is above data.context_length = {}: {} tokens between windows are never trained on; "
        "use a stride of at most the context length",
        stride, context, stride - context));
  }
  const int64_t eval_context = config.eval.context_length ? config.eval.context_length : context;
  if (eval_context > context) {
    warnings.push_back(fmt::format(
        "eval.context_length = {} is above data.context_length = {}: validation reads positions the model "
        "never trained on",
        eval_context, context));
  }
  return warnings;
}

void warn_about_config(const Config& config) {
  for (const std::string& warning : config_warnings(config)) spdlog::warn(warning);
}

}  // namespace ropelm
